package dev.promptcanary.api;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.promptcanary.activities.ingest.KnownVersions;
import dev.promptcanary.activities.model.Judge;
import dev.promptcanary.activities.model.LlmJudge;
import dev.promptcanary.activities.observability.RolloutMeters;
import dev.promptcanary.activities.rollout.AlertSender;
import dev.promptcanary.activities.routing.RoutingLoader;
import dev.promptcanary.activities.routing.RoutingSynchronizer;
import dev.promptcanary.activities.routing.RoutingTable;
import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.activities.store.AuditDao;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.MetricsDao;
import dev.promptcanary.activities.store.Migrations;
import dev.promptcanary.activities.store.OutcomeDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RolloutCountsDao;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.Store;
import dev.promptcanary.activities.store.TrafficDao;
import dev.promptcanary.api.auth.ApiAuth;
import dev.promptcanary.api.auth.KeyCache;
import dev.promptcanary.api.commands.ConfigCheckCommand;
import dev.promptcanary.api.commands.EvalSuiteCommand;
import dev.promptcanary.api.commands.KeyCommand;
import dev.promptcanary.api.commands.MigrateCommand;
import dev.promptcanary.api.commands.WorkerCommand;
import dev.promptcanary.api.errors.ApiExceptionMapper;
import dev.promptcanary.api.errors.JsonErrorHandler;
import dev.promptcanary.api.errors.JsonExceptionMapper;
import dev.promptcanary.api.errors.StoreUnavailableMapper;
import dev.promptcanary.api.errors.UnexpectedExceptionMapper;
import dev.promptcanary.api.errors.ValidationExceptionMapper;
import dev.promptcanary.api.errors.WebApplicationExceptionMapper;
import dev.promptcanary.api.evals.EvalResource;
import dev.promptcanary.api.evals.EvalService;
import dev.promptcanary.api.health.HealthServlet;
import dev.promptcanary.api.health.RoutingHealthCheck;
import dev.promptcanary.api.health.TemporalHealthCheck;
import dev.promptcanary.api.limits.RateLimitFilter;
import dev.promptcanary.api.limits.RequestLimitsFilter;
import dev.promptcanary.api.limits.StrictJson;
import dev.promptcanary.api.observability.IngestMeters;
import dev.promptcanary.api.observability.PrometheusMetrics;
import dev.promptcanary.api.observability.RequestObservability;
import dev.promptcanary.api.observability.RolloutStateGauges;
import dev.promptcanary.api.openapi.OpenApiResource;
import dev.promptcanary.api.openapi.ResourceEndpoints;
import dev.promptcanary.api.openapi.SwaggerUiResource;
import dev.promptcanary.api.otlp.OtlpErrorBodies;
import dev.promptcanary.api.otlp.OtlpTraceResource;
import dev.promptcanary.api.resources.AuditResource;
import dev.promptcanary.api.resources.EvalReportResource;
import dev.promptcanary.api.resources.EvalSuiteResource;
import dev.promptcanary.api.resources.IngestPath;
import dev.promptcanary.api.resources.KeyResource;
import dev.promptcanary.api.resources.MetricsResource;
import dev.promptcanary.api.resources.OutcomeResource;
import dev.promptcanary.api.resources.PingResource;
import dev.promptcanary.api.resources.PromptResource;
import dev.promptcanary.api.resources.RoutingFeed;
import dev.promptcanary.api.resources.RoutingFeedResource;
import dev.promptcanary.api.resources.RoutingResource;
import dev.promptcanary.api.resources.ServingResource;
import dev.promptcanary.api.rollouts.RolloutNotifier;
import dev.promptcanary.api.rollouts.RolloutResource;
import dev.promptcanary.api.rollouts.RolloutService;
import dev.promptcanary.api.ui.DashboardResource;
import dev.promptcanary.api.ui.PagesResource;
import dev.promptcanary.api.ui.UiAssetsResource;
import dev.promptcanary.worker.LostRolloutRecovery;
import dev.promptcanary.worker.RolloutWorkers;
import dev.promptcanary.worker.SearchAttributes;
import freemarker.template.Configuration;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.jdbi3.JdbiFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.lifecycle.Managed;
import io.dropwizard.views.common.ViewBundle;
import io.dropwizard.views.freemarker.FreemarkerViewRenderer;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.jdbi.v3.core.Jdbi;

public class PromptCanaryApplication extends Application<PromptCanaryConfiguration> {

  public static void main(String[] args) throws Exception {
    new PromptCanaryApplication().run(args);
  }

  @Override
  public String getName() {
    return "promptcanary";
  }

  /** Dropwizard's {@code server}, and our {@code check} in place of Dropwizard's (why: there). */
  @Override
  protected void addDefaultCommands(Bootstrap<PromptCanaryConfiguration> bootstrap) {
    bootstrap.addCommand(new ServerCommand<>(this));
    bootstrap.addCommand(new ConfigCheckCommand<>(this));
  }

  @Override
  public void initialize(Bootstrap<PromptCanaryConfiguration> bootstrap) {
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    // Instants as ISO-8601 text, the form the API also accepts.
    bootstrap.getObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    // The web pages under /ui: FreeMarker at current defaults, so .ftlh templates escape HTML.
    bootstrap.addBundle(
        new ViewBundle<>(List.of(new FreemarkerViewRenderer(Configuration.VERSION_2_3_34))) {
          @Override
          public Map<String, Map<String, String>> getViewConfiguration(
              PromptCanaryConfiguration config) {
            // A failing page is an error, never FreeMarker's debug trace printed into the HTML.
            return Map.of("freemarker", Map.of("template_exception_handler", "rethrow"));
          }
        });
    bootstrap.addCommand(new WorkerCommand(this));
    bootstrap.addCommand(new MigrateCommand());
    bootstrap.addCommand(new EvalSuiteCommand());
    bootstrap.addCommand(new KeyCommand());
  }

  @Override
  public void run(PromptCanaryConfiguration config, Environment environment) {
    ProcessRole role = config.getRole();
    ManagedDataSource dataSource = config.getDatabase().build(environment.metrics(), "postgresql");
    if (config.isMigrateOnStart()) {
      Migrations.migrate(dataSource);
    }
    Jdbi jdbi =
        Store.configure(
            new JdbiFactory().build(environment, config.getDatabase(), dataSource, "postgresql"));

    PrometheusMetrics metrics = PrometheusMetrics.register(environment);
    HealthServlet.register(environment);
    WorkflowServiceStubs stubs = config.getTemporal().buildServiceStubs(metrics.temporalScope());
    environment.lifecycle().manage(shutdownOf(stubs));
    WorkflowClient workflowClient = config.getTemporal().buildClient(stubs);
    environment
        .healthChecks()
        .register("temporal", new TemporalHealthCheck(stubs, config.getTemporal().getTarget()));

    String taskQueue = config.getTemporal().getTaskQueue();
    if (config.isEmbeddedTemporal()) {
      SearchAttributes.registerMissing(stubs, config.getTemporal().getNamespace());
    }
    if (role.runsWorker()) {
      RolloutMeters meters = new RolloutMeters(metrics.registry());
      AlertSender alertSender = alertSender(config, meters);
      environment
          .lifecycle()
          .manage(
              RolloutWorkers.create(
                  workflowClient,
                  taskQueue,
                  config.getTemporal().getWorker(),
                  jdbi,
                  config.getModel().isEnabled() ? config.getModel().build() : null,
                  config.getModel().isEnabled() ? evalJudge(config) : null,
                  alertSender,
                  meters));
      // At start and every minute: a rollout terminated in Temporal, or whose final record failed,
      // is ended in the store within a minute rather than at the next worker start.
      environment
          .lifecycle()
          .manage(
              new LostRolloutRecovery(
                  jdbi, workflowClient, taskQueue, alertSender, Duration.ofMinutes(1)));
    }
    if (role.servesApi()) {
      WorkflowServiceStubs requestStubs =
          config.getTemporal().buildRequestStubs(metrics.temporalScope());
      environment.lifecycle().manage(shutdownOf(requestStubs));
      registerApi(
          config,
          environment,
          jdbi,
          config.getTemporal().buildClient(requestStubs),
          metrics.registry());
    }
  }

  private void registerApi(
      PromptCanaryConfiguration config,
      Environment environment,
      Jdbi jdbi,
      WorkflowClient workflowClient,
      MeterRegistry meters) {
    ((AbstractServerFactory) config.getServerFactory()).setRegisterDefaultExceptionMappers(false);
    var jersey = environment.jersey();
    jersey.register(new RequestObservability(meters));
    jersey.register(new IngestMeters(meters));
    RolloutStateGauges.register(meters, jdbi.onDemand(RolloutCountsDao.class));
    jersey.register(new ApiExceptionMapper());
    jersey.register(new ValidationExceptionMapper());
    jersey.register(new JsonExceptionMapper());
    jersey.register(new WebApplicationExceptionMapper());
    jersey.register(new StoreUnavailableMapper());
    jersey.register(new UnexpectedExceptionMapper());
    // Strict bodies, bounded requests and the JSON error shape for what Jetty answers itself.
    StrictJson.configure(environment.getObjectMapper(), config.getLimits().getMaxRequestBytes());
    jersey.register(new RequestLimitsFilter(config.getLimits().getMaxRequestBytes()));
    environment.getApplicationContext().setErrorHandler(new JsonErrorHandler());
    letRequestLimitsJudgePaths(config, environment);
    // Dropwizard sets the server's error handler while building it; replace it before it starts.
    environment
        .lifecycle()
        .addEventListener(
            new LifeCycle.Listener() {
              @Override
              public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server server) {
                  server.setErrorHandler(new JsonErrorHandler());
                }
              }
            });

    RoutingTable routes = new RoutingTable();
    RoutingLoader loader = new RoutingLoader(jdbi, routes);
    Properties connection = new Properties();
    connection.setProperty("user", config.getDatabase().getUser());
    if (config.getDatabase().getPassword() != null) {
      connection.setProperty("password", config.getDatabase().getPassword());
    }
    config.getDatabase().getProperties().forEach(connection::setProperty);
    environment
        .lifecycle()
        .manage(
            new ManagedRoutingSync(
                new RoutingSynchronizer(
                    loader,
                    config.getDatabase().getUrl(),
                    connection,
                    config.getRouting().getFullReloadInterval().toJavaDuration(),
                    meters)));
    environment.healthChecks().register("routing", new RoutingHealthCheck(routes));

    KeyCache keys = ApiAuth.register(config.getAuth(), environment, jdbi.onDemand(ApiKeyDao.class));
    jersey.register(
        new RateLimitFilter(
            config.getLimits(),
            config.getAuth().isEnabled()
                ? secret -> keys.find(secret).isPresent()
                : secret -> true));
    PromptDao prompts = jdbi.onDemand(PromptDao.class);
    Clock clock = Clock.systemUTC();
    jersey.register(new PingResource());
    jersey.register(new KeyResource(jdbi.onDemand(ApiKeyDao.class), keys));
    jersey.register(new AuditResource(jdbi.onDemand(AuditDao.class)));
    jersey.register(new PromptResource(prompts, loader));
    jersey.register(new ServingResource(routes));
    RoutingFeed feed = new RoutingFeed(routes);
    jersey.register(new RoutingFeedResource(feed, prompts));
    // At the start of the server's stop, before its graceful wait for requests in flight: a poll
    // would otherwise hold the stop for up to its whole wait.
    environment
        .lifecycle()
        .addEventListener(
            new LifeCycle.Listener() {
              @Override
              public void lifeCycleStopping(LifeCycle event) {
                if (event instanceof Server) {
                  feed.releaseAll();
                }
              }
            });
    jersey.register(new RoutingResource(prompts, jdbi.onDemand(RoutingDao.class), loader));
    jersey.register(new MetricsResource(prompts, jdbi.onDemand(MetricsDao.class), clock));
    jersey.register(new EvalSuiteResource(jdbi.onDemand(EvalDao.class)));
    jersey.register(new EvalReportResource(jdbi.onDemand(EvalDao.class)));
    RolloutNotifier notifier = new RolloutNotifier(routes, workflowClient);
    environment.lifecycle().manage(notifier);
    IngestPath ingest =
        new IngestPath(
            jdbi.onDemand(OutcomeDao.class), new KnownVersions(prompts), notifier, clock);
    jersey.register(new OutcomeResource(ingest, config.getIngest().getMaxBatchSize()));
    jersey.register(
        new OtlpTraceResource(
            ingest, config.getOtlp().reader(), config.getIngest().getMaxBatchSize(), meters));
    jersey.register(new OtlpErrorBodies());
    LiveJudging.register(
        config.getJudge(),
        environment,
        jdbi.onDemand(OutcomeDao.class),
        new KnownVersions(prompts),
        notifier,
        config.getIngest().getMaxBatchSize(),
        clock,
        meters);
    RolloutService rollouts =
        new RolloutService(
            prompts,
            jdbi.onDemand(RoutingDao.class),
            jdbi.onDemand(RolloutDao.class),
            jdbi.onDemand(TrafficDao.class),
            jdbi.onDemand(EvalDao.class),
            workflowClient,
            config.getTemporal().getTaskQueue(),
            environment.getObjectMapper(),
            clock,
            config.getJudge().isEnabled() ? config.getJudge().judgeName() : null,
            jdbi.onDemand(AuditDao.class),
            config.getTemporal().getAnswerWithin().toJavaDuration());
    jersey.register(new RolloutResource(rollouts));
    jersey.register(
        new EvalResource(
            new EvalService(
                prompts,
                jdbi.onDemand(RoutingDao.class),
                jdbi.onDemand(EvalDao.class),
                jdbi.onDemand(AuditDao.class),
                workflowClient,
                config.getTemporal().getTaskQueue())));
    jersey.register(
        new PagesResource(
            rollouts,
            prompts,
            jdbi.onDemand(RoutingDao.class),
            config.getTemporal().getUiUrl(),
            config.getTemporal().getNamespace()));
    jersey.register(
        new DashboardResource(
            rollouts,
            workflowClient,
            jdbi.onDemand(EvalDao.class),
            jdbi.onDemand(AuditDao.class),
            config.getTemporal().getUiUrl(),
            config.getTemporal().getNamespace()));
    jersey.register(new UiAssetsResource());
    // Last: the spec reads the resources registered above (and by LiveJudging) at its first
    // request.
    jersey.register(
        new OpenApiResource(
            () -> ResourceEndpoints.resourceClasses(environment.jersey().getResourceConfig()),
            Objects.requireNonNullElse(
                PromptCanaryApplication.class.getPackage().getImplementationVersion(), "dev")));
    jersey.register(new SwaggerUiResource());
  }

  /**
   * Paths Jetty would refuse itself (a segment encoded as {@code %2e%2e}, an encoded {@code /}, a
   * NUL, bad UTF-8) reach {@link RequestLimitsFilter} instead, which refuses every one of them too
   * (400 or 422 naming {@code path}), but only after reading the request's body. Jetty refuses them
   * before the body is read and must then close the connection, so a client still sending saw a
   * broken pipe and no answer (the 1,000-try fuzz, docs/benchmarks.md). Only the API's connectors:
   * the admin port keeps Jetty's default.
   */
  private static void letRequestLimitsJudgePaths(
      PromptCanaryConfiguration config, Environment environment) {
    List<ConnectorFactory> connectors = List.of();
    if (config.getServerFactory() instanceof DefaultServerFactory server) {
      connectors = server.getApplicationConnectors();
    } else if (config.getServerFactory() instanceof SimpleServerFactory server) {
      connectors = List.of(server.getConnector());
    }
    for (ConnectorFactory connector : connectors) {
      if (connector instanceof HttpConnectorFactory http) {
        http.setUriCompliance(UriCompliance.UNSAFE);
      }
    }
    environment.getApplicationContext().getServletHandler().setDecodeAmbiguousURIs(true);
  }

  /**
   * Judge assertions of eval suites use the live judge when one is configured, else the eval model
   * itself.
   */
  private static Judge evalJudge(PromptCanaryConfiguration config) {
    if (config.getJudge().isEnabled()) {
      return config.getJudge().buildJudge();
    }
    return new LlmJudge(config.getModel().build(), config.getModel().getModel(), true);
  }

  private static AlertSender alertSender(PromptCanaryConfiguration config, RolloutMeters meters) {
    return new AlertSender(
        config.getAlerts().defaultTarget(),
        config
            .getAlerts()
            .links(config.getTemporal().getUiUrl(), config.getTemporal().getNamespace()),
        meters);
  }

  private static Managed shutdownOf(WorkflowServiceStubs stubs) {
    return new Managed() {
      @Override
      public void stop() {
        stubs.shutdown();
      }
    };
  }
}
