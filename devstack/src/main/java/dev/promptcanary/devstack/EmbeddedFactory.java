package dev.promptcanary.devstack;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

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
