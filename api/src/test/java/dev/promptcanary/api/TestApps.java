package dev.promptcanary.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.client.ClientProperties;

/** Real API instances on free ports over a real PostgreSQL; Temporal deliberately unreachable. */
public final class TestApps {
  /** A loopback port free right now, for servers a test starts. */
  public static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private TestApps() {}

  public static DropwizardAppExtension<PromptCanaryConfiguration> api(TestDatabase db) {
    return new DropwizardAppExtension<>(PromptCanaryApplication.class, config(db));
  }

  static PromptCanaryConfiguration config(TestDatabase db) {
    PromptCanaryConfiguration config = new PromptCanaryConfiguration();
    config.getDatabase().setUrl(db.jdbcUrl());
    config.getDatabase().setUser(db.user());
    config.getDatabase().setPassword(null);
    DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
    ((HttpConnectorFactory) server.getApplicationConnectors().get(0)).setPort(0);
    ((HttpConnectorFactory) server.getAdminConnectors().get(0)).setPort(0);
    // Nothing listens here: resolve and ingest must not need Temporal.
    config.getTemporal().setTarget("127.0.0.1:1");
    config.getRouting().setFullReloadInterval(io.dropwizard.util.Duration.minutes(10));
    return config;
  }

  /**
   * The whole stack in one process, as {@code dev} runs it: API and worker, over the Temporal test
   * server listening on {@code temporalPort}.
   */
  public static DropwizardAppExtension<PromptCanaryConfiguration> embedded(
      TestDatabase db, int temporalPort) {
    return embedded(db, temporalPort, config -> {});
  }

  /** As above, with the configuration adjusted by {@code adjust} before the app starts. */
  public static DropwizardAppExtension<PromptCanaryConfiguration> embedded(
      TestDatabase db,
      int temporalPort,
      java.util.function.Consumer<PromptCanaryConfiguration> adjust) {
    PromptCanaryConfiguration config = embeddedConfig(db, temporalPort);
    adjust.accept(config);
    return new DropwizardAppExtension<>(PromptCanaryApplication.class, config);
  }

  private static PromptCanaryConfiguration embeddedConfig(TestDatabase db, int temporalPort) {
    PromptCanaryConfiguration config = config(db);
    config.getTemporal().setTarget("localhost:" + temporalPort);
    config.setRole(ProcessRole.ALL);
    config.setEmbeddedTemporal(true);
    return config;
  }

  /**
   * The embedded stack with offline evals and the judge on the model SIMULATOR at {@code
   * simulatorBaseUrl}.
   */
  public static DropwizardAppExtension<PromptCanaryConfiguration> embeddedWithModels(
      TestDatabase db, int temporalPort, String simulatorBaseUrl) {
    return embeddedWithModels(db, temporalPort, simulatorBaseUrl, config -> {});
  }

  /** As above, with the configuration adjusted by {@code adjust} before the app starts. */
  public static DropwizardAppExtension<PromptCanaryConfiguration> embeddedWithModels(
      TestDatabase db,
      int temporalPort,
      String simulatorBaseUrl,
      java.util.function.Consumer<PromptCanaryConfiguration> adjust) {
    PromptCanaryConfiguration config = embeddedConfig(db, temporalPort);
    config.getModel().setEnabled(true);
    config.getModel().setBaseUrl(simulatorBaseUrl);
    config.getJudge().setEnabled(true);
    config.getJudge().setBaseUrl(simulatorBaseUrl);
    config.getJudge().setModel("sim-judge");
    adjust.accept(config);
    return new DropwizardAppExtension<>(PromptCanaryApplication.class, config);
  }

  /** A small HTTP client bound to one app, answering with status and parsed JSON. */
  public record Http(DropwizardAppExtension<PromptCanaryConfiguration> app) {
    public record Reply(int status, JsonNode body) {}

    private Invocation.Builder request(String path) {
      return app.client()
          .target("http://localhost:" + app.getLocalPort() + path)
          // The extension's 5 s read timeout fails a rollout start on a loaded 2-core machine; a
          // test asserts answers, not how fast they come (timing lives in bench/).
          .property(ClientProperties.READ_TIMEOUT, 60_000)
          .property(ClientProperties.CONNECT_TIMEOUT, 10_000)
          .request(MediaType.APPLICATION_JSON);
    }

    public Reply get(String path) {
      return reply(request(path).get());
    }

    public Reply post(String path, String json) {
      return reply(request(path).post(Entity.entity(json, MediaType.APPLICATION_JSON)));
    }

    public Reply put(String path, String json) {
      return reply(request(path).put(Entity.entity(json, MediaType.APPLICATION_JSON)));
    }

    public Reply send(String method, String path, String contentType, String body) {
      return reply(request(path).method(method, Entity.entity(body, contentType)));
    }

    private static Reply reply(Response response) {
      String text = response.readEntity(String.class);
      try {
        return new Reply(
            response.getStatus(), text == null || text.isEmpty() ? null : JSON.readTree(text));
      } catch (Exception e) {
        throw new AssertionError("response is not JSON: " + text, e);
      }
    }
  }

  public static String version(int n) {
    return """
        {"systemPrompt": "You are support agent number %d.",
         "fewShot": [{"user": "hi", "assistant": "hello"}],
         "template": "Customer asks: {{question}}",
         "model": "sim-model",
         "parameters": {"temperature": 0.2},
         "author": "ana"}
        """
        .formatted(n);
  }
}
