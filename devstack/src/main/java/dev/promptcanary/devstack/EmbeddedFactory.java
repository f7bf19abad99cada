package dev.promptcanary.devstack;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** The embedded stack of the {@code dev} command; ignored by {@code server} and {@code worker}. */
public class EmbeddedFactory {
  /** PostgreSQL's data directory; kept across restarts of {@code dev}. */
  @NotBlank private String dataDirectory = "data/postgres";

  /** 0 picks a free port. */
  @Min(0)
  @Max(65535)
  private int postgresPort = 0;

  @Min(1)
  @Max(65535)
  private int temporalPort = 7233;

  /**
   * Which Temporal server {@code dev} and {@code demo} embed: {@code auto}, the Temporal CLI's dev
   * server when the CLI is found, else Temporal's Java test server; {@code cli} or {@code java} to
   * insist on one.
   */
  @NotNull private TemporalServer temporalServer = TemporalServer.AUTO;

  /** The Temporal CLI; empty: {@code temporal} on the PATH, else ~/go/bin/temporal. */
  @NotNull private String temporalCli = "";

  /** Temporal UI's port (the CLI's dev server only). */
  @Min(1)
  @Max(65535)
  private int temporalUiPort = 8233;

  /** Starts the CLI's dev server without Temporal UI. */
  private boolean temporalHeadless = false;

  /** The embedded Temporal servers. */
  public enum TemporalServer {
    AUTO,
    CLI,
    JAVA
  }

  @JsonProperty
  public TemporalServer getTemporalServer() {
    return temporalServer;
  }

  @JsonProperty
  public void setTemporalServer(TemporalServer temporalServer) {
    this.temporalServer = temporalServer;
  }

  @JsonProperty
  public String getTemporalCli() {
    return temporalCli;
  }

  @JsonProperty
  public void setTemporalCli(String temporalCli) {
    this.temporalCli = temporalCli == null ? "" : temporalCli;
  }

  @JsonProperty
  public int getTemporalUiPort() {
    return temporalUiPort;
  }

  @JsonProperty
  public void setTemporalUiPort(int temporalUiPort) {
    this.temporalUiPort = temporalUiPort;
  }

  @JsonProperty
  public boolean isTemporalHeadless() {
    return temporalHeadless;
  }

  @JsonProperty
  public void setTemporalHeadless(boolean temporalHeadless) {
    this.temporalHeadless = temporalHeadless;
  }

  @JsonProperty
  public String getDataDirectory() {
    return dataDirectory;
  }

  @JsonProperty
  public void setDataDirectory(String dataDirectory) {
    this.dataDirectory = dataDirectory;
  }

  @JsonProperty
  public int getPostgresPort() {
    return postgresPort;
  }

  @JsonProperty
  public void setPostgresPort(int postgresPort) {
    this.postgresPort = postgresPort;
  }

  @JsonProperty
  public int getTemporalPort() {
    return temporalPort;
  }

  @JsonProperty
  public void setTemporalPort(int temporalPort) {
    this.temporalPort = temporalPort;
  }
}
