package dev.promptcanary.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.api.config.AlertsFactory;
import dev.promptcanary.api.config.AuthFactory;
import dev.promptcanary.api.config.IngestFactory;
import dev.promptcanary.api.config.JudgeFactory;
import dev.promptcanary.api.config.LimitsFactory;
import dev.promptcanary.api.config.ModelFactory;
import dev.promptcanary.api.config.OtlpFactory;
import dev.promptcanary.api.config.RoutingFactory;
import dev.promptcanary.worker.TemporalFactory;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

public class PromptCanaryConfiguration extends Configuration {
  @Valid @NotNull private DataSourceFactory database = defaultDatabase();
  @Valid @NotNull private TemporalFactory temporal = new TemporalFactory();
  @Valid @NotNull private RoutingFactory routing = new RoutingFactory();
  @Valid @NotNull private IngestFactory ingest = new IngestFactory();
  @Valid @NotNull private OtlpFactory otlp = new OtlpFactory();
  @Valid @NotNull private JudgeFactory judge = new JudgeFactory();
  @Valid @NotNull private ModelFactory model = new ModelFactory();
  @Valid @NotNull private LimitsFactory limits = new LimitsFactory();
  @Valid @NotNull private AuthFactory auth = new AuthFactory();
  @Valid @NotNull private AlertsFactory alerts = new AlertsFactory();
  private boolean migrateOnStart = true;
  private ProcessRole role = ProcessRole.API;
  private boolean embeddedTemporal;

  private static DataSourceFactory defaultDatabase() {
    DataSourceFactory factory = new DataSourceFactory();
    factory.setDriverClass("org.postgresql.Driver");
    factory.setUrl("jdbc:postgresql://localhost:5432/promptcanary");
    factory.setUser("promptcanary");
    return factory;
  }

  @JsonProperty
  public DataSourceFactory getDatabase() {
    return database;
  }

  @JsonProperty
  public void setDatabase(DataSourceFactory database) {
    this.database = database;
  }

  @JsonProperty
  public TemporalFactory getTemporal() {
    return temporal;
  }

  @JsonProperty
  public void setTemporal(TemporalFactory temporal) {
    this.temporal = temporal;
  }

  @JsonProperty
  public RoutingFactory getRouting() {
    return routing;
  }

  @JsonProperty
  public void setRouting(RoutingFactory routing) {
    this.routing = routing;
  }

  @JsonProperty
  public IngestFactory getIngest() {
    return ingest;
  }

  @JsonProperty
  public void setIngest(IngestFactory ingest) {
    this.ingest = ingest;
  }

  /** How OTLP spans ({@code POST /v1/otlp/v1/traces}) become observations and judgements. */
  @JsonProperty
  public OtlpFactory getOtlp() {
    return otlp;
  }

  @JsonProperty
  public void setOtlp(OtlpFactory otlp) {
    this.otlp = otlp;
  }

  /** Request body size and per-client rate limits of the API. */
  @JsonProperty
  public LimitsFactory getLimits() {
    return limits;
  }

  @JsonProperty
  public void setLimits(LimitsFactory limits) {
    this.limits = limits;
  }

  /** Live judging of reported transcripts ({@code POST /v1/transcripts}); off by default. */
  /** The model endpoint offline evals call. */
  @JsonProperty
  public ModelFactory getModel() {
    return model;
  }

  @JsonProperty
  public void setModel(ModelFactory model) {
    this.model = model;
  }

  @JsonProperty
  public JudgeFactory getJudge() {
    return judge;
  }

  @JsonProperty
  public void setJudge(JudgeFactory judge) {
    this.judge = judge;
  }

  /** API keys; {@code auth.enabled: false} switches them off (explicitly, never by default). */
  @JsonProperty
  public AuthFactory getAuth() {
    return auth;
  }

  @JsonProperty
  public void setAuth(AuthFactory auth) {
    this.auth = auth;
  }

  /** The default alert webhook and the address alert links point at. */
  @JsonProperty
  public AlertsFactory getAlerts() {
    return alerts;
  }

  @JsonProperty
  public void setAlerts(AlertsFactory alerts) {
    this.alerts = alerts;
  }

  /**
   * Run Flyway at start-up (several nodes at once is safe). Turn off to migrate with {@code migrate
   * CONFIG}.
   */
  @JsonProperty
  public boolean isMigrateOnStart() {
    return migrateOnStart;
  }

  @JsonProperty
  public void setMigrateOnStart(boolean migrateOnStart) {
    this.migrateOnStart = migrateOnStart;
  }

  /** True when this process started the in-memory Temporal test server itself ({@code dev}). */
  @JsonIgnore
  public boolean isEmbeddedTemporal() {
    return embeddedTemporal;
  }

  @JsonIgnore
  public void setEmbeddedTemporal(boolean embeddedTemporal) {
    this.embeddedTemporal = embeddedTemporal;
  }

  /** Set by the command that started the process, never by the config file. */
  @JsonIgnore
  public ProcessRole getRole() {
    return role;
  }

  @JsonIgnore
  public void setRole(ProcessRole role) {
    this.role = role;
  }
}
