package dev.promptcanary.sdk;

import java.time.Instant;
import java.util.UUID;

/**
 * The outcome of one served request ({@code POST /v1/observations}). {@code requestId} makes the
 * report idempotent: the SDK retries with the same id, and the server counts an id once per prompt.
 */
public record Observation(
    String requestId,
    String prompt,
    Integer version,
    String unit,
    Instant observedAt,
    Double latencyMs,
    Integer inputTokens,
    Integer outputTokens,
    Double cost,
    Boolean error,
    Boolean safetyFlag,
    Integer feedback) {

  public static Builder builder(String prompt, int version, String unit) {
    return new Builder(prompt, version, unit);
  }

  /** Defaults: a fresh random request id, the time of {@link #build}, no error, no safety flag. */
  public static final class Builder {
    private final String prompt;
    private final int version;
    private final String unit;
    private String requestId;
    private Instant observedAt;
    private double latencyMs;
    private Integer inputTokens;
    private Integer outputTokens;
    private Double cost;
    private boolean error;
    private boolean safetyFlag;
    private Integer feedback;

    private Builder(String prompt, int version, String unit) {
      this.prompt = prompt;
      this.version = version;
      this.unit = unit;
    }

    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    public Builder observedAt(Instant observedAt) {
      this.observedAt = observedAt;
      return this;
    }

    public Builder latencyMs(double latencyMs) {
      this.latencyMs = latencyMs;
      return this;
    }

    public Builder tokens(int input, int output) {
      this.inputTokens = input;
      this.outputTokens = output;
      return this;
    }

    public Builder cost(double cost) {
      this.cost = cost;
      return this;
    }

    public Builder error(boolean error) {
      this.error = error;
      return this;
    }

    public Builder safetyFlag(boolean safetyFlag) {
      this.safetyFlag = safetyFlag;
      return this;
    }

    /** -1, 0 or 1: the user's thumbs down, neutral, up. */
    public Builder feedback(int feedback) {
      this.feedback = feedback;
      return this;
    }

    public Observation build() {
      return new Observation(
          requestId == null ? UUID.randomUUID().toString() : requestId,
          prompt,
          version,
          unit,
          observedAt == null ? Instant.now() : observedAt,
          latencyMs,
          inputTokens,
          outputTokens,
          cost,
          error,
          safetyFlag,
          feedback);
    }
  }
}
