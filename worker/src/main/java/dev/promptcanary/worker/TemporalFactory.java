package dev.promptcanary.worker;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.uber.m3.tally.Scope;
import dev.promptcanary.workflows.TaskQueues;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Where the Temporal service is: the embedded test server of {@code dev}, or a real cluster.
 * Nothing else in the code knows which.
 *
 * <p>Temporal Cloud takes either mTLS ({@code tls} with a client certificate and key) or an API key
 * ({@code apiKey}, sent as a bearer token, over TLS: {@code tls.enabled} with no certificate).
 */
public class TemporalFactory {
  @NotBlank private String target = "localhost:7233";
  @NotBlank private String namespace = "default";
  @NotBlank private String taskQueue = TaskQueues.ROLLOUTS;
  @Valid @NotNull private TlsFactory tls = new TlsFactory();
  @Valid @NotNull private WorkerTuningFactory worker = new WorkerTuningFactory();

  /** A Temporal Cloud API key; empty: none. Never written back out (write-only). */
  private String apiKey = "";

  /**
   * Temporal UI's address (e.g. {@code http://localhost:8233}) for deep links from the web pages;
   * empty: none.
   */
  @Pattern(regexp = "(https?://\\S+)?", message = "must be empty or an http(s) URL")
  private String uiUrl = "";

  /**
   * How long an API request that needs Temporal (a rollout start, a control) waits for it before
   * answering 503 with {@code Retry-After}: below the timeouts of the clients and of any load
   * balancer in front, so they get that answer rather than their own timeout.
   */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  @MaxDuration(value = 60, unit = TimeUnit.SECONDS)
  private io.dropwizard.util.Duration answerWithin = io.dropwizard.util.Duration.seconds(8);

  /**
   * TLS towards a cluster that requires it (for example Temporal Cloud): with a client certificate
   * and its key, mutual TLS; with neither, TLS that only checks the server (for an API key). An
   * empty path is no path, so a config file can leave each one to an unset environment variable.
   */
  public static class TlsFactory extends Switchable {
    private String certChainFile;
    private String privateKeyFile;
    private String trustCertFile;

    /** Off unless enabled. */
    public TlsFactory() {
      super(false);
    }

    /** A certificate without its key (or a key without its certificate) is a mistake, not TLS. */
    @JsonIgnore
    @AssertTrue(
        message =
            "certChainFile and privateKeyFile must be given together (mutual TLS) or not at all")
    public boolean isClientCertificateComplete() {
      return (certChainFile == null) == (privateKeyFile == null);
    }

    /** Paths given while TLS is off would be silently unused: say so instead. */
    @JsonIgnore
    @AssertTrue(message = "certChainFile, privateKeyFile and trustCertFile need enabled: true")
    public boolean isEnabledWhenPathsGiven() {
      return isEnabled()
          || (certChainFile == null && privateKeyFile == null && trustCertFile == null);
    }

    @JsonProperty
    public String getCertChainFile() {
      return certChainFile;
    }

    @JsonProperty
    public void setCertChainFile(String certChainFile) {
      this.certChainFile = blankToNull(certChainFile);
    }

    @JsonProperty
    public String getPrivateKeyFile() {
      return privateKeyFile;
    }

    @JsonProperty
    public void setPrivateKeyFile(String privateKeyFile) {
      this.privateKeyFile = blankToNull(privateKeyFile);
    }

    @JsonProperty
    public String getTrustCertFile() {
      return trustCertFile;
    }

    @JsonProperty
    public void setTrustCertFile(String trustCertFile) {
      this.trustCertFile = blankToNull(trustCertFile);
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
  public io.dropwizard.util.Duration getAnswerWithin() {
    return answerWithin;
  }

  @JsonProperty
  public void setAnswerWithin(io.dropwizard.util.Duration answerWithin) {
    this.answerWithin = answerWithin;
  }

  /** Write-only, so the key never appears where the configuration is serialised. */
  @JsonProperty(access = JsonProperty.Access.WRITE_ONLY)
  public String getApiKey() {
    return apiKey;
  }

  @JsonProperty
  public void setApiKey(String apiKey) {
    this.apiKey = apiKey == null ? "" : apiKey.strip();
  }

  /** An API key in clear text would be readable by anyone on the path. */
  @JsonIgnore
  @AssertTrue(
      message = "apiKey needs tls.enabled: true (Temporal Cloud takes API keys over TLS only)")
  public boolean isApiKeySentOverTls() {
    return apiKey.isEmpty() || tls.isEnabled();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** The worker's cache, threads, pollers and task slots (used by processes that run a worker). */
  @JsonProperty
  public WorkerTuningFactory getWorker() {
    return worker;
  }

  @JsonProperty
  public void setWorker(WorkerTuningFactory worker) {
    this.worker = worker;
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
    return WorkflowServiceStubs.newServiceStubs(serviceStubsOptions(metrics).build());
  }

  /** The patient options of the worker: target, metrics, TLS and the API key. */
  WorkflowServiceStubsOptions.Builder serviceStubsOptions(Scope metrics) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder().setTarget(target);
    if (metrics != null) {
      options.setMetricsScope(metrics);
    }
    secure(options);
    return options;
  }

  private void secure(WorkflowServiceStubsOptions.Builder options) {
    if (tls.isEnabled()) {
      options.setSslContext(sslContext());
    }
    if (!apiKey.isEmpty()) {
      String key = apiKey;
      options.addApiKey(() -> key);
    }
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
    return WorkflowServiceStubs.newServiceStubs(requestStubsOptions(metrics).build());
  }

  /** The impatient options of request paths, secured like the worker's. */
  WorkflowServiceStubsOptions.Builder requestStubsOptions(Scope metrics) {
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
    secure(options);
    return options;
  }

  public WorkflowClient buildClient(WorkflowServiceStubs stubs) {
    return WorkflowClient.newInstance(
        stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  private io.grpc.netty.shaded.io.netty.handler.ssl.SslContext sslContext() {
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient();
      if (tls.getCertChainFile() != null && tls.getPrivateKeyFile() != null) {
        builder.keyManager(
            readable("temporal.tls.certChainFile", tls.getCertChainFile()),
            readable("temporal.tls.privateKeyFile", tls.getPrivateKeyFile()));
      }
      if (tls.getTrustCertFile() != null) {
        builder.trustManager(readable("temporal.tls.trustCertFile", tls.getTrustCertFile()));
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new UncheckedIOException(
          new IOException("temporal.tls: cannot build the TLS context: " + e.getMessage(), e));
    }
  }

  /** Netty's own error for a missing file names neither the file nor the setting. */
  private static File readable(String setting, String path) {
    File file = new File(path);
    if (!file.canRead()) {
      throw new UncheckedIOException(
          new IOException(setting + ": cannot read " + file.getAbsolutePath()));
    }
    return file;
  }
}
