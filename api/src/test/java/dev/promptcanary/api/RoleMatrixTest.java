package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.auth.Unauthenticated;
import dev.promptcanary.api.openapi.ResourceEndpoints;
import dev.promptcanary.api.openapi.ResourceEndpoints.Endpoint;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every endpoint x every role x no key. The endpoints are read from the Jersey resources the app
 * registered, by reflection: a new endpoint without a role annotation, or without a row in {@link
 * #ENDPOINTS}, fails this test. Below its role an endpoint answers 403, without a key 401; at or
 * above it, the status in its row (2xx where this app can serve it; Temporal is unreachable here,
 * so starting a rollout is 503 and there is no rollout to control: 404).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RoleMatrixTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP = TestApps.api(DB);
  static final AtomicInteger UNIQUE = new AtomicInteger();
  static long keyToRevoke;
  static long keyToRotate;

  /** A request that exercises one endpoint, and what an allowed caller gets. */
  record Sample(String path, Supplier<String> body, int allowedStatus) {
    static Sample get(String path, int status) {
      return new Sample(path, null, status);
    }

    static Sample send(String path, Supplier<String> body, int status) {
      return new Sample(path, body, status);
    }
  }

  static final String OBSERVATION =
      """
      {"observations": [{"requestId": "matrix-1", "prompt": "matrix", "version": 1, "unit": "u",
        "latencyMs": 10, "error": false, "safetyFlag": false}]}""";

  static final String SUITE =
      """
      {"name": "matrix-suite", "author": "ana",
       "cases": [{"id": "a", "variables": {"question": "hi"}, "assertions": [{"type": "max_length", "max": 10}]}],
       "gate": {"minPassRate": 1.0}}""";

  /** "METHOD /template" of every endpoint, with its sample request. */
  static final Map<String, Sample> ENDPOINTS = new LinkedHashMap<>();

  static {
    ENDPOINTS.put("GET /v1/ping", Sample.get("/v1/ping", 200));
    ENDPOINTS.put("GET /openapi.json", Sample.get("/openapi.json", 200));
    ENDPOINTS.put("GET /swagger", Sample.get("/swagger", 200));
    ENDPOINTS.put(
        "GET /swagger/assets/{file}", Sample.get("/swagger/assets/swagger-ui-bundle.js", 200));
    ENDPOINTS.put("GET /v1/prompts", Sample.get("/v1/prompts", 200));
    ENDPOINTS.put(
        "POST /v1/prompts/{name}/versions",
        Sample.send("/v1/prompts/matrix/versions", () -> TestApps.version(1), 200));
    ENDPOINTS.put(
        "GET /v1/prompts/{name}/versions", Sample.get("/v1/prompts/matrix/versions", 200));
    ENDPOINTS.put(
        "GET /v1/prompts/{name}/versions/{version}",
        Sample.get("/v1/prompts/matrix/versions/1", 200));
    ENDPOINTS.put(
        "GET /v1/prompts/{name}/resolve", Sample.get("/v1/prompts/matrix/resolve?unit=u", 200));
    ENDPOINTS.put("GET /v1/routing", Sample.get("/v1/routing", 200));
    ENDPOINTS.put("GET /v1/routing/stream", Sample.get("/v1/routing/stream?wait=0", 200));
    ENDPOINTS.put(
        "GET /v1/routing/versions/{name}/{version}",
        Sample.get("/v1/routing/versions/matrix/1", 200));
    ENDPOINTS.put("GET /v1/prompts/{name}/routing", Sample.get("/v1/prompts/matrix/routing", 200));
    ENDPOINTS.put(
        "PUT /v1/prompts/{name}/routing",
        Sample.send(
            "/v1/prompts/matrix/routing",
            () ->
                "{\"stableVersion\": 1, \"canaryVersion\": 2, \"canaryWeightBp\": 100, \"reason\":"
                    + " \"matrix\"}",
            200));
    ENDPOINTS.put("GET /v1/prompts/{name}/metrics", Sample.get("/v1/prompts/matrix/metrics", 200));
    ENDPOINTS.put("POST /v1/observations", Sample.send("/v1/observations", () -> OBSERVATION, 200));
    ENDPOINTS.put(
        "POST /v1/judgements",
        Sample.send(
            "/v1/judgements",
            () ->
                """
                {"judgements": [{"requestId": "matrix-1", "prompt": "matrix", "version": 1,
                  "judge": "j", "score": 0.5}]}""",
            200));
    ENDPOINTS.put(
        "POST /v1/metrics",
        Sample.send(
            "/v1/metrics",
            () ->
                """
                {"metrics": [{"prompt": "matrix", "version": 1, "unit": "u", "name": "csat", "value": 4}]}""",
            200));
    // Live judging is off in this app: an allowed caller is told so.
    ENDPOINTS.put(
        "POST /v1/transcripts",
        Sample.send(
            "/v1/transcripts",
            () ->
                """
                {"transcripts": [{"requestId": "matrix-1", "prompt": "matrix", "version": 1,
                  "input": "hi", "output": "hello"}]}""",
            503));
    ENDPOINTS.put(
        "POST /v1/otlp/v1/traces",
        Sample.send("/v1/otlp/v1/traces", () -> "{\"resourceSpans\": []}", 200));
    ENDPOINTS.put("POST /v1/eval-suites", Sample.send("/v1/eval-suites", () -> SUITE, 200));
    ENDPOINTS.put("GET /v1/eval-suites", Sample.get("/v1/eval-suites", 200));
    ENDPOINTS.put("GET /v1/eval-suites/{name}", Sample.get("/v1/eval-suites/matrix-suite", 200));
    ENDPOINTS.put(
        "GET /v1/eval-suites/{name}/versions",
        Sample.get("/v1/eval-suites/matrix-suite/versions", 200));
    ENDPOINTS.put(
        "GET /v1/eval-suites/{name}/versions/{version}",
        Sample.get("/v1/eval-suites/matrix-suite/versions/1", 200));
    ENDPOINTS.put("GET /v1/rollouts", Sample.get("/v1/rollouts", 200));
    ENDPOINTS.put(
        "POST /v1/rollouts",
        Sample.send(
            "/v1/rollouts",
            () -> "{\"prompt\": \"matrix-rollout\", \"candidateVersion\": 2}",
            503));
    ENDPOINTS.put("GET /v1/rollouts/{id}", Sample.get("/v1/rollouts/rollout-none-2", 404));
    ENDPOINTS.put(
        "GET /v1/rollouts/{id}/eval", Sample.get("/v1/rollouts/rollout-none-2/eval", 404));
    for (String action : List.of("bypass", "abort", "pause", "resume", "approve", "{action}")) {
      String path = "/v1/rollouts/rollout-none-2/" + (action.equals("{action}") ? "nudge" : action);
      ENDPOINTS.put(
          "POST /v1/rollouts/{id}/" + action,
          Sample.send(path, () -> "{\"reason\": \"matrix\"}", 404));
    }
    // Starting an eval spends model calls, as a rollout's eval does: a deployer's action.
    ENDPOINTS.put(
        "POST /v1/evals",
        Sample.send(
            "/v1/evals",
            () -> "{\"suite\": \"matrix-suite\", \"prompt\": \"matrix\", \"candidateVersion\": 2}",
            503));
    ENDPOINTS.put("GET /v1/evals/{id}", Sample.get("/v1/evals/none", 404));
    ENDPOINTS.put("GET /v1/audit", Sample.get("/v1/audit?prompt=matrix", 200));
    ENDPOINTS.put(
        "POST /v1/keys",
        Sample.send(
            "/v1/keys",
            () -> "{\"name\": \"matrix-" + UNIQUE.incrementAndGet() + "\", \"role\": \"reader\"}",
            201));
    ENDPOINTS.put("GET /v1/keys", Sample.get("/v1/keys", 200));
    ENDPOINTS.put("GET /v1/keys/{id}", Sample.get("/v1/keys/1", 200));
    ENDPOINTS.put(
        "DELETE /v1/keys/{id}",
        new Sample("/v1/keys/{revoke}?reason=matrix", null, 200)); // id filled in below
    ENDPOINTS.put(
        "POST /v1/keys/{id}/rotate", Sample.send("/v1/keys/{rotate}/rotate", () -> null, 201));
    ENDPOINTS.put("GET /", Sample.get("/", 303));
    ENDPOINTS.put("GET /ui", Sample.get("/ui", 303));
    ENDPOINTS.put("GET /ui/rollouts", Sample.get("/ui/rollouts", 200));
    ENDPOINTS.put("GET /ui/rollouts/{id}", Sample.get("/ui/rollouts/rollout-none-2", 404));
    ENDPOINTS.put("GET /ui/prompts/{name}", Sample.get("/ui/prompts/matrix", 200));
    ENDPOINTS.put("GET /ui/{rest: .+}", Sample.get("/ui/elsewhere", 404));
    ENDPOINTS.put("GET /ui/assets/{file}", Sample.get("/ui/assets/uPlot.iife.min.js", 200));
    ENDPOINTS.put(
        "GET /v1/rollouts/{id}/dashboard",
        Sample.get("/v1/rollouts/rollout-none-2/dashboard", 404));
  }

  @BeforeAll
  static void data() {
    Http admin = new Http(APP);
    admin.post("/v1/prompts/matrix/versions", TestApps.version(1));
    admin.post("/v1/prompts/matrix/versions", TestApps.version(2));
    admin.post("/v1/prompts/matrix-rollout/versions", TestApps.version(1));
    admin.post("/v1/prompts/matrix-rollout/versions", TestApps.version(2));
    admin.post("/v1/eval-suites", SUITE);
    keyToRevoke =
        admin
            .post("/v1/keys", "{\"name\": \"to-revoke\", \"role\": \"client\"}")
            .body()
            .path("key")
            .path("id")
            .asLong();
    keyToRotate =
        admin
            .post("/v1/keys", "{\"name\": \"to-rotate\", \"role\": \"client\"}")
            .body()
            .path("key")
            .path("id")
            .asLong();
  }

  /** What each endpoint requires, read from its annotations: a role, or nothing (liveness). */
  record Rule(String endpoint, Role role, boolean open) {}

  static List<Rule> rules() {
    List<Rule> rules = new ArrayList<>();
    var config = APP.getEnvironment().jersey().getResourceConfig();
    for (Endpoint e : ResourceEndpoints.of(ResourceEndpoints.resourceClasses(config))) {
      Method method = e.method();
      String endpoint = e.verb() + " " + e.template();
      RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
      boolean open = method.isAnnotationPresent(Unauthenticated.class);
      assertThat(method.isAnnotationPresent(PermitAll.class))
          .as(endpoint + ": @PermitAll is not used; name the least role with @RolesAllowed")
          .isFalse();
      assertThat(roles != null || open)
          .as(endpoint + " (" + method + ") has neither @RolesAllowed nor @Unauthenticated")
          .isTrue();
      Role role = null;
      if (roles != null) {
        assertThat(roles.value()).as(endpoint + ": one role, the least allowed").hasSize(1);
        role = Role.parse(roles.value()[0]);
        assertThat(role).as(endpoint + ": unknown role " + roles.value()[0]).isNotNull();
      }
      rules.add(new Rule(endpoint, role, open));
    }
    return rules;
  }

  @Test
  void everyEndpointHasARuleAndASample() {
    Set<String> found = new TreeSet<>();
    rules().forEach(rule -> found.add(rule.endpoint()));
    assertThat(found)
        .as("endpoints without a sample here: add a row to ENDPOINTS (and choose a role)")
        .isSubsetOf(ENDPOINTS.keySet());
    assertThat(ENDPOINTS.keySet()).as("rows for endpoints that no longer exist").isSubsetOf(found);
  }

  @Test
  void everyEndpointAnswers401WithoutAKey403BelowItsRoleAndServesItsRoleAndAbove() {
    List<String> problems = new ArrayList<>();
    for (Rule rule : rules()) {
      Sample sample = ENDPOINTS.get(rule.endpoint());
      if (sample == null) {
        continue; // reported by everyEndpointHasARuleAndASample
      }
      String method = rule.endpoint().substring(0, rule.endpoint().indexOf(' '));
      int anonymous = status(method, sample, null);
      if (rule.open()) {
        expect(problems, rule.endpoint() + " without a key", anonymous, sample.allowedStatus());
        continue;
      }
      expect(problems, rule.endpoint() + " without a key", anonymous, 401);
      expect(
          problems,
          rule.endpoint() + " with a revoked-looking key",
          status(method, sample, "pck_not-a-key"),
          401);
      for (Role role : Role.values()) {
        int expected = role.includes(rule.role()) ? sample.allowedStatus() : 403;
        expect(
            problems,
            rule.endpoint() + " as " + role.wireName(),
            status(method, sample, TestKeys.key(DB, role)),
            expected);
      }
    }
    assertThat(problems).isEmpty();
  }

  private static void expect(List<String> problems, String what, int actual, int expected) {
    if (actual != expected) {
      problems.add(what + ": " + actual + ", expected " + expected);
    }
  }

  private static int status(String method, Sample sample, String key) {
    String path =
        sample
            .path()
            .replace("{revoke}", String.valueOf(keyToRevoke))
            .replace("{rotate}", String.valueOf(currentRotatable()));
    Invocation.Builder request =
        TestApps.clientWithoutRedirects(APP)
            .target("http://localhost:" + APP.getLocalPort() + path)
            .request(MediaType.APPLICATION_JSON, MediaType.TEXT_HTML);
    if (key != null) {
      request = request.header("Authorization", "Bearer " + key);
    }
    String body = sample.body() == null ? null : sample.body().get();
    try (Response response =
        body == null && !method.equals("POST") && !method.equals("PUT")
            ? request.method(method)
            : request.method(
                method, Entity.entity(body == null ? "" : body, MediaType.APPLICATION_JSON))) {
      return response.getStatus();
    }
  }

  /** Rotation replaces the key: the next allowed caller rotates the replacement. */
  private static long currentRotatable() {
    Http admin = new Http(APP);
    var keys = admin.get("/v1/keys").body();
    for (var key : keys) {
      if (key.path("name").asText().equals("to-rotate")) {
        return key.path("id").asLong();
      }
    }
    return keyToRotate;
  }
}
