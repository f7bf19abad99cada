package dev.promptcanary.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.core5.util.TimeValue;
import org.glassfish.jersey.apache5.connector.Apache5ClientProperties;
import org.glassfish.jersey.client.ClientProperties;

/**
 * Real API instances on free ports over a real PostgreSQL; Temporal deliberately unreachable (the
 * whole stack with Temporal is {@link EmbeddedStack}).
 */
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

  /**
   * The app under test with a test client that waits as {@link Http} does (60 s for an answer, the
   * extension's default being 5 s), for the tests that use {@code app.client()} directly (the
   * pages, the role matrix): on a shared 2-core machine under load a cold first request has taken
   * longer.
   */
  static class PatientApp extends DropwizardAppExtension<PromptCanaryConfiguration> {
    private jakarta.ws.rs.client.Client withoutRedirects;

    PatientApp(PromptCanaryConfiguration config) {
      super(PromptCanaryApplication.class, config);
    }

    @Override
    protected org.glassfish.jersey.client.JerseyClientBuilder clientBuilder() {
      return super.clientBuilder()
          .property(ClientProperties.READ_TIMEOUT, 60_000)
          .property(ClientProperties.CONNECT_TIMEOUT, 10_000);
    }

    /**
     * A second client as patient as {@link #client()} that does not follow redirects, built once: a
     * property set on each request's {@code WebTarget} instead gives that target a configuration of
     * its own, and Jersey builds a whole client runtime (HK2 injection, providers) for it, some 15
     * ms of CPU per request (ServingApiTest's 2,600 requests, RoleMatrixTest's). It does not retry
     * either: Apache HttpClient's default strategy sends a request that was answered 503 with
     * {@code Retry-After} again after that delay, so the role matrix saw the second answer of each
     * rollout start, some 10 s after the first (4 s each and the 2 s wait).
     */
    synchronized jakarta.ws.rs.client.Client clientWithoutRedirects() {
      if (withoutRedirects == null) {
        withoutRedirects =
            clientBuilder()
                .property(ClientProperties.FOLLOW_REDIRECTS, false)
                .property(
                    Apache5ClientProperties.RETRY_STRATEGY,
                    new DefaultHttpRequestRetryStrategy(0, TimeValue.ZERO_MILLISECONDS))
                .build();
      }
      return withoutRedirects;
    }

    @Override
    public void after() {
      try {
        super.after();
      } finally {
        synchronized (this) {
          if (withoutRedirects != null) {
            withoutRedirects.close();
            withoutRedirects = null;
          }
        }
      }
    }
  }

  /** The client of {@code app} (a {@link PatientApp}) that does not follow redirects. */
  static jakarta.ws.rs.client.Client clientWithoutRedirects(
      DropwizardAppExtension<PromptCanaryConfiguration> app) {
    return ((PatientApp) app).clientWithoutRedirects();
  }

  private TestApps() {}

  public static DropwizardAppExtension<PromptCanaryConfiguration> api(TestDatabase db) {
    return new PatientApp(config(db));
  }

  /** As above, with the configuration adjusted by {@code adjust} before the app starts. */
  public static DropwizardAppExtension<PromptCanaryConfiguration> api(
      TestDatabase db, java.util.function.Consumer<PromptCanaryConfiguration> adjust) {
    PromptCanaryConfiguration config = config(db);
    adjust.accept(config);
    return new PatientApp(config);
  }

  /**
   * The whole stack in one process, as {@code dev} runs it, over a Temporal test server the caller
   * owns on {@code temporalPort}: for tests outside this package that stop and start the app on the
   * same database and server (the api's own end-to-end tests use {@link EmbeddedStack}).
   */
  public static DropwizardAppExtension<PromptCanaryConfiguration> embedded(
      TestDatabase db,
      int temporalPort,
      java.util.function.Consumer<PromptCanaryConfiguration> adjust) {
    PromptCanaryConfiguration config = embeddedConfig(db, temporalPort);
    adjust.accept(config);
    return new PatientApp(config);
  }

  /** The configuration of API and worker in one process over Temporal at {@code temporalPort}. */
  static PromptCanaryConfiguration embeddedConfig(TestDatabase db, int temporalPort) {
    PromptCanaryConfiguration config = config(db);
    config.getTemporal().setTarget("localhost:" + temporalPort);
    config.setRole(ProcessRole.ALL);
    config.setEmbeddedTemporal(true);
    return config;
  }

  static PromptCanaryConfiguration config(TestDatabase db) {
    TestKeys.of(db);
    PromptCanaryConfiguration config = new PromptCanaryConfiguration();
    config.getDatabase().setUrl(db.jdbcUrl());
    config.getDatabase().setUser(db.user());
    config.getDatabase().setPassword(null);
    DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
    ((HttpConnectorFactory) server.getApplicationConnectors().get(0)).setPort(0);
    ((HttpConnectorFactory) server.getAdminConnectors().get(0)).setPort(0);
    // A test app's stop need not drain: with the default 30 s grace, a client's idle keep-alive
    // connection (a browser's) held the connectors' graceful stop for all of it, and Jetty then
    // failed the stop with a TimeoutException (DashboardBrowserTest in CI). A node's drain is
    // tested at process level (ApiRestartIT).
    server.setShutdownGracePeriod(io.dropwizard.util.Duration.seconds(0));
    // Nothing listens here: resolve and ingest must not need Temporal.
    config.getTemporal().setTarget("127.0.0.1:1");
    config.getRouting().setFullReloadInterval(io.dropwizard.util.Duration.minutes(10));
    // Tests send bursts of starts and controls; the limits themselves are RateLimitApiTest's.
    config.getLimits().getIngest().setEnabled(false);
    config.getLimits().getControls().setEnabled(false);
    return config;
  }

  /**
   * A small HTTP client bound to one app, answering with status and parsed JSON. It sends the test
   * admin key unless told otherwise ({@link #as}, {@link #withKey}, {@link #anonymous}).
   */
  public record Http(DropwizardAppExtension<PromptCanaryConfiguration> app, Key key) {
    public record Reply(int status, JsonNode body) {}

    /** Which key a request carries: a role's test key, a given secret, or none. */
    public record Key(Role role, String secret) {
      static final Key NONE = new Key(null, null);
    }

    public Http(DropwizardAppExtension<PromptCanaryConfiguration> app) {
      this(app, new Key(Role.ADMIN, null));
    }

    /** The same app, with the test key of {@code role}. */
    public Http as(Role role) {
      return new Http(app, new Key(role, null));
    }

    public Http withKey(String secret) {
      return new Http(app, new Key(null, secret));
    }

    public Http anonymous() {
      return new Http(app, Key.NONE);
    }

    private String secret() {
      if (key.secret() != null || key.role() == null) {
        return key.secret();
      }
      return TestKeys.forUrl(app.getConfiguration().getDatabase().getUrl()).get(key.role());
    }

    private Invocation.Builder request(String path) {
      jakarta.ws.rs.client.WebTarget target =
          app.client().target("http://localhost:" + app.getLocalPort() + path);
      if (!(app instanceof PatientApp)) {
        // The extension's 5 s read timeout fails a rollout start on a loaded 2-core machine; a
        // test asserts answers, not how fast they come (timing lives in bench/). A PatientApp's
        // client has these already: set per request they cost a client runtime each time
        // (PatientApp#clientWithoutRedirects says why).
        target =
            target
                .property(ClientProperties.READ_TIMEOUT, 60_000)
                .property(ClientProperties.CONNECT_TIMEOUT, 10_000);
      }
      Invocation.Builder builder = target.request(MediaType.APPLICATION_JSON);
      String secret = secret();
      return secret == null ? builder : builder.header("Authorization", "Bearer " + secret);
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

    public Reply delete(String path) {
      return reply(request(path).delete());
    }

    /**
     * A JSON POST sent exactly once, with the answer's headers: the app's Jersey client (Apache
     * HttpClient) would itself send a POST answered 503 with {@code Retry-After} again.
     */
    public HttpResponse<String> postOnce(String path, String json) throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://localhost:" + app.getLocalPort() + path))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json));
      String secret = secret();
      if (secret != null) {
        request.header("Authorization", "Bearer " + secret);
      }
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public Reply send(String method, String path, String contentType, String body) {
      Invocation.Builder builder = request(path);
      return reply(
          body == null
              ? builder.method(method)
              : builder.method(method, Entity.entity(body, contentType)));
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
