package dev.promptcanary.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.uber.m3.tally.Scope;
import dev.promptcanary.workflows.TaskQueues;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Where the Temporal service is: the embedded test server of {@code dev}, or a real cluster.
 * Nothing else in the code knows which.
 */
public class TemporalFactory {
  @NotBlank private String target = "localhost:7233";
  @NotBlank private String namespace = "default";
  @NotBlank private String taskQueue = TaskQueues.ROLLOUTS;
  @Valid @NotNull private TlsFactory tls = new TlsFactory();

  /**
   * Temporal UI's address (e.g. {@code http://localhost:8233}) for deep links from the web pages;
   * empty: none.
   */
  @Pattern(regexp = "(https?://\\S+)?", message = "must be empty or an http(s) URL")
  private String uiUrl = "";

  /** Mutual TLS towards a cluster that requires it (for example Temporal Cloud). */
  public static class TlsFactory {
    private boolean enabled;
    private String certChainFile;
    private String privateKeyFile;
    private String trustCertFile;

    @JsonProperty
    public boolean isEnabled() {
      return enabled;
    }

    @JsonProperty
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    @JsonProperty
    public String getCertChainFile() {
      return certChainFile;
    }

    @JsonProperty
    public void setCertChainFile(String certChainFile) {
      this.certChainFile = certChainFile;
    }

    @JsonProperty
    public String getPrivateKeyFile() {
      return privateKeyFile;
    }

    @JsonProperty
    public void setPrivateKeyFile(String privateKeyFile) {
      this.privateKeyFile = privateKeyFile;
    }

    @JsonProperty
    public String getTrustCertFile() {
      return trustCertFile;
    }

    @JsonProperty
    public void setTrustCertFile(String trustCertFile) {
      this.trustCertFile = trustCertFile;
    }
  }

  @JsonProperty
  public String getTarget() {
    return target;
  }

  @JsonProperty
  public void setTarget(String target) {
    this.target = target;
  }

  @JsonProperty
  public String getNamespace() {
    return namespace;
  }

  @JsonProperty
  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  @JsonProperty
  public String getTaskQueue() {
    return taskQueue;
  }

  @JsonProperty
  public void setTaskQueue(String taskQueue) {
    this.taskQueue = taskQueue;
  }

  @JsonProperty
  public String getUiUrl() {
    return uiUrl;
  }

  @JsonProperty
  public void setUiUrl(String uiUrl) {
    this.uiUrl = uiUrl == null ? "" : uiUrl.strip();
  }

  @JsonProperty
  public TlsFactory getTls() {
    return tls;
  }

  @JsonProperty
  public void setTls(TlsFactory tls) {
    this.tls = tls;
  }

  /**
   * Stubs that connect lazily, so a process whose Temporal is down still starts and keeps serving
   * what does not need Temporal (resolve and ingest).
   */
  public WorkflowServiceStubs buildServiceStubs() {
    return buildServiceStubs(null);
  }

  /**
   * The same, reporting the SDK's metrics (requests, long polls, and through the worker factory
   * that uses these stubs: workflow task latency, schedule-to-start, poller counts) to {@code
   * metrics}; null reports none.
   */
  public WorkflowServiceStubs buildServiceStubs(Scope metrics) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder().setTarget(target);
    if (metrics != null) {
      options.setMetricsScope(metrics);
    }
    if (tls.isEnabled()) {
      options.setSslContext(sslContext());
    }
    return WorkflowServiceStubs.newServiceStubs(options.build());
  }

  /**
   * Stubs for request paths (the API): a call gives up after a few seconds instead of retrying for
   * a minute, so a person gets a clear 503 when Temporal is down. The worker keeps the patient
   * defaults.
   */
  public WorkflowServiceStubs buildRequestStubs() {
    return buildRequestStubs(null);
  }

  /** The same, reporting the SDK's client metrics to {@code metrics} (null: none). */
  public WorkflowServiceStubs buildRequestStubs(Scope metrics) {
    Duration patience = Duration.ofSeconds(2);
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(target)
            .setRpcTimeout(patience)
            .setRpcQueryTimeout(patience)
            .setSystemInfoTimeout(Duration.ofMillis(1500))
            .setRpcRetryOptions(
                RpcRetryOptions.newBuilder().setExpiration(Duration.ofMillis(1500)).build());
    if (metrics != null) {
      options.setMetricsScope(metrics);
    }
    if (tls.isEnabled()) {
      options.setSslContext(sslContext());
    }
    return WorkflowServiceStubs.newServiceStubs(options.build());
  }

  public WorkflowClient buildClient(WorkflowServiceStubs stubs) {
    return WorkflowClient.newInstance(
        stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  private io.grpc.netty.shaded.io.netty.handler.ssl.SslContext sslContext() {
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient();
      if (tls.getCertChainFile() != null && tls.getPrivateKeyFile() != null) {
        builder.keyManager(new File(tls.getCertChainFile()), new File(tls.getPrivateKeyFile()));
      }
      if (tls.getTrustCertFile() != null) {
        builder.trustManager(new File(tls.getTrustCertFile()));
      }
      return builder.build();
    } catch (SSLException e) {
      throw new UncheckedIOException(
          new IOException("temporal.tls: cannot build the TLS context", e));
    }
  }
}
