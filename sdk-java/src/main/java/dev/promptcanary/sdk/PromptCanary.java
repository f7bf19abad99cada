package dev.promptcanary.sdk;

import dev.promptcanary.serving.UnitRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The promptcanary client for an app on the serving path. {@link #resolve} is answered locally from
 * the routing snapshot the server pushes (a hash and a comparison, no network), placing every unit
 * exactly where the server's own resolve would; {@link #report}, {@link #judgement} and {@link
 * #transcript} are buffered and sent in batches in the background. Thread-safe; make one per
 * process and {@link #close} it at shutdown (which sends what is buffered).
 *
 * <pre>{@code
 * PromptCanary client = PromptCanary.builder().url("http://localhost:8080").apiKey(key).build();
 * Resolved r = client.resolve("support", sessionId);
 * Rendered call = r.render(Map.of("question", question));
 * client.report(r.observation().requestId(requestId).latencyMs(840).tokens(310, 95).build());
 * }</pre>
 */
public final class PromptCanary implements AutoCloseable {
  private final Routing routing;
  private final Reporter reporter;
  private final Duration closeTimeout;

  private PromptCanary(Builder b) {
    Http http = new Http(b.url, b.apiKey);
    this.routing =
        new Routing(
            http,
            b.snapshotFile == null ? null : new SnapshotFile(b.snapshotFile),
            b.pollWait,
            b.maxBackoff);
    this.reporter = new Reporter(http, b.bufferSize, b.batchSize, b.flushInterval, b.maxBackoff);
    this.closeTimeout = b.closeTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The version of {@code prompt} to serve for {@code unit} (a session or user id). */
  public Resolved resolve(String prompt, String unit) {
    return resolve(prompt, unit, null);
  }

  /**
   * As {@link #resolve(String, String)}, honouring {@code pin} (the version a multi-turn session
   * started on) while that version is still served; when it is not, the answer says {@code
   * pinDropped} and why, as the server's resolve does.
   */
  public Resolved resolve(String prompt, String unit, Integer pin) {
    UnitRule.problem(unit)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    if (pin != null && pin < 1) {
      throw new IllegalArgumentException("pin must be a positive integer, was " + pin);
    }
    Routing.View view = routing.view();
    LocalRoute route = view.routes().get(prompt);
    if (route == null) {
      throw new PromptCanaryException(
          view.source() == Health.Source.NONE
              ? "no routing yet: the server has not answered and there is no snapshot on disk"
              : "no prompt named '" + prompt + "' has a version to serve");
    }
    return route.resolve(unit, pin);
  }

  /** Buffers an observation; false when the buffer was full (counted in {@link Health#dropped}). */
  public boolean report(Observation observation) {
    return reporter.observation(Objects.requireNonNull(observation, "observation"));
  }

  public boolean judgement(Judgement judgement) {
    return reporter.judgement(Objects.requireNonNull(judgement, "judgement"));
  }

  public boolean transcript(Transcript transcript) {
    return reporter.transcript(Objects.requireNonNull(transcript, "transcript"));
  }

  /**
   * Waits until everything reported so far is answered by the server; false after {@code timeout}.
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    return reporter.flush(timeout);
  }

  public Health health() {
    Routing.View view = routing.view();
    String routingError = routing.lastError();
    return new Health(
        routing.connected(),
        view.source(),
        view.etag(),
        view.routes().size(),
        view.at(),
        routingError != null ? routingError : reporter.lastError(),
        reporter.queued(),
        reporter.sent(),
        reporter.duplicates(),
        reporter.dropped(),
        reporter.rejected());
  }

  /** Sends what is buffered (up to the builder's {@code closeTimeout}) and stops. */
  @Override
  public void close() {
    reporter.close(closeTimeout);
    routing.close();
  }

  public static final class Builder {
    private String url;
    private String apiKey;
    private Path snapshotFile;
    private Duration startTimeout = Duration.ofSeconds(5);
    private Duration pollWait = Duration.ofSeconds(20);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private int bufferSize = 10_000;
    private int batchSize = 500;
    private Duration flushInterval = Duration.ofMillis(200);
    private Duration closeTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /** The API's base URL, e.g. {@code http://localhost:8080}. */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /** A key with the {@code client} role (or above). */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /**
     * Where to keep the last routing snapshot (and the versions it names), so a start while the
     * server is down serves it. None by default.
     */
    public Builder snapshotFile(Path snapshotFile) {
      this.snapshotFile = snapshotFile;
      return this;
    }

    /** How long {@link #build} waits for the server's first snapshot (default 5 s). */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /** How long one long-poll waits for a change (1..25 s, default 20 s). */
    public Builder pollWait(Duration pollWait) {
      this.pollWait = pollWait;
      return this;
    }

    /** The longest pause between reconnects and between report retries (default 5 s). */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    /** Items each kind of report may buffer before new ones are dropped (default 10,000). */
    public Builder bufferSize(int bufferSize) {
      this.bufferSize = bufferSize;
      return this;
    }

    /** Items per request (default 500; the server takes up to its {@code ingest.maxBatchSize}). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** How often a partial batch is sent (default 200 ms). */
    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
      return this;
    }

    /** How long {@link #close} keeps sending what is buffered (default 10 s). */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Starts the client: serves the snapshot on disk at once if there is one, and waits up to
     * {@code startTimeout} for the server's. A server that does not answer is not an error: the
     * client serves what it has and keeps reconnecting ({@link #health} says so).
     */
    public PromptCanary build() {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(apiKey, "apiKey");
      if (pollWait.toSeconds() < 1 || pollWait.toSeconds() > 25) {
        throw new IllegalArgumentException("pollWait must be within 1..25 s, was " + pollWait);
      }
      if (bufferSize < 1 || batchSize < 1) {
        throw new IllegalArgumentException("bufferSize and batchSize must be positive");
      }
      PromptCanary client = new PromptCanary(this);
      client.routing.start();
      try {
        client.routing.awaitServer(startTimeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return client;
    }
  }
}
