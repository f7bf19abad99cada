package dev.promptcanary.worker;

import dev.promptcanary.workflows.rollout.RolloutSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The custom search attributes rollouts upsert. A workflow that upserts an unregistered one fails
 * its workflow tasks until it exists, so the embedded server gets them at start-up; a real cluster
 * gets them once from deployment/helm/promptcanary/files/register-search-attributes.sh.
 */
public final class SearchAttributes {
  private static final Logger LOG = LoggerFactory.getLogger(SearchAttributes.class);

  /** Name and type of every rollout attribute ({@link RolloutSearchAttributes#ALL}). */
  public static final Map<String, IndexedValueType> ROLLOUT_ATTRIBUTES = rolloutAttributes();

  private SearchAttributes() {}

  private static Map<String, IndexedValueType> rolloutAttributes() {
    Map<String, IndexedValueType> attributes = new LinkedHashMap<>();
    for (SearchAttributeKey<?> key : RolloutSearchAttributes.ALL) {
      attributes.put(key.getName(), key.getValueType());
    }
    return java.util.Collections.unmodifiableMap(attributes);
  }

  /** Registers the rollout attributes; ones the namespace already has are left as they are. */
  public static void registerMissing(WorkflowServiceStubs workflowStubs, String namespace) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(workflowStubs.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      ROLLOUT_ATTRIBUTES.forEach(
          (name, type) -> {
            try {
              operator
                  .blockingStub()
                  .addSearchAttributes(
                      AddSearchAttributesRequest.newBuilder()
                          .setNamespace(namespace)
                          .putSearchAttributes(name, type)
                          .build());
              LOG.info("registered search attribute {} ({})", name, type);
            } catch (StatusRuntimeException e) {
              if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
              }
            }
          });
    } finally {
      operator.shutdown();
    }
  }
}
