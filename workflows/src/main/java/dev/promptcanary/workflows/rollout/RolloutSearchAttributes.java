package dev.promptcanary.workflows.rollout;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/**
 * The custom search attributes every rollout upserts: the one definition that the workflow, the
 * worker's registration on an embedded server, the tests and {@code
 * deployment/helm/promptcanary/files/register-search-attributes.sh} (checked by a test) all use.
 */
public final class RolloutSearchAttributes {
  public static final SearchAttributeKey<String> PROMPT_NAME =
      SearchAttributeKey.forKeyword("PromptName");
  public static final SearchAttributeKey<Long> PROMPT_VERSION =
      SearchAttributeKey.forLong("PromptVersion");
  public static final SearchAttributeKey<String> ROLLOUT_STATE =
      SearchAttributeKey.forKeyword("RolloutState");
  public static final SearchAttributeKey<Long> CANARY_WEIGHT =
      SearchAttributeKey.forLong("CanaryWeight");
  public static final SearchAttributeKey<Long> ROLLOUT_STAGE =
      SearchAttributeKey.forLong("RolloutStage");

  /** All of them, in registration order. */
  public static final List<SearchAttributeKey<?>> ALL =
      List.of(PROMPT_NAME, PROMPT_VERSION, ROLLOUT_STATE, CANARY_WEIGHT, ROLLOUT_STAGE);

  private RolloutSearchAttributes() {}
}
