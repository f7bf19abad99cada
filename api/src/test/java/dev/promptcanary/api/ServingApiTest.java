package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.routing.RoutingWrite;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class ServingApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP = TestApps.api(DB);
  final Http http = new Http(APP);

  private void twoVersions(String prompt) {
    assertThat(http.post("/v1/prompts/" + prompt + "/versions", TestApps.version(1)).status())
        .isEqualTo(201);
    assertThat(http.post("/v1/prompts/" + prompt + "/versions", TestApps.version(2)).status())
        .isEqualTo(201);
  }

  private Reply route(String prompt, String body) {
    return http.put("/v1/prompts/" + prompt + "/routing", body);
  }

  @Test
  void servesTheFirstVersionAtOnceWithItsContent() {
    http.post("/v1/prompts/fresh/versions", TestApps.version(1));
    Reply reply = http.get("/v1/prompts/fresh/resolve?unit=user-1");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().get("version").asInt()).isEqualTo(1);
    assertThat(reply.body().get("arm").asText()).isEqualTo("STABLE");
    assertThat(reply.body().get("content").get("content").get("template").asText())
        .isEqualTo("Customer asks: {{question}}");
  }

  @Test
  void splitsTrafficByTheCanaryWeightAndKeepsEachUnitWhereItWas() {
    twoVersions("split");
    Reply set =
        route(
            "split",
            "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":3000,\"actor\":\"ana\",\"reason\":\"try v2\"}");
    assertThat(set.status()).isEqualTo(200);
    assertThat(set.body().get("canaryWeightBp").asInt()).isEqualTo(3000);

    int canary = 0;
    for (int i = 0; i < 2000; i++) {
      Reply r = http.get("/v1/prompts/split/resolve?unit=s" + i);
      if (r.body().get("arm").asText().equals("CANARY")) {
        canary++;
        assertThat(r.body().get("version").asInt()).isEqualTo(2);
        // the same unit again lands on the same side
        assertThat(http.get("/v1/prompts/split/resolve?unit=s" + i).body().get("version").asInt())
            .isEqualTo(2);
      }
    }
    // 30% of 2000 = 600; +-5 standard deviations (sd ~ 20.5)
    assertThat(canary).isBetween(500, 700);
  }

  @Test
  void aPinKeepsAConversationOnItsVersionUntilThatVersionIsRolledBack() {
    twoVersions("pinned");
    route(
        "pinned",
        "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":500,\"actor\":\"ana\",\"reason\":\"canary\"}");
    Reply pinnedToCanary = http.get("/v1/prompts/pinned/resolve?unit=whoever&pin=2");
    assertThat(pinnedToCanary.body().get("version").asInt()).isEqualTo(2);
    assertThat(pinnedToCanary.body().get("pinned").asBoolean()).isTrue();

    route(
        "pinned",
        "{\"stableVersion\":1,\"canaryWeightBp\":0,\"actor\":\"ana\",\"reason\":\"roll back\"}");
    Reply afterRollback = http.get("/v1/prompts/pinned/resolve?unit=whoever&pin=2");
    assertThat(afterRollback.body().get("version").asInt()).isEqualTo(1);
    assertThat(afterRollback.body().get("pinDropped").asBoolean()).isTrue();
    assertThat(afterRollback.body().get("note").asText()).contains("no longer served");
  }

  @Test
  void refusesBadResolveAndRoutingRequests() {
    twoVersions("strict");
    Reply noUnit = http.get("/v1/prompts/strict/resolve");
    assertThat(noUnit.status()).isEqualTo(422);
    assertThat(noUnit.body().get("field").asText()).isEqualTo("unit");

    Reply badPin = http.get("/v1/prompts/strict/resolve?unit=u&pin=two");
    assertThat(badPin.status()).isEqualTo(422);
    assertThat(badPin.body().get("field").asText()).isEqualTo("pin");

    Reply unknown = http.get("/v1/prompts/nobody/resolve?unit=u");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("field").asText()).isEqualTo("name");

    Reply tooHeavy =
        route(
            "strict",
            "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":10001,\"actor\":\"a\",\"reason\":\"r\"}");
    assertThat(tooHeavy.status()).isEqualTo(422);
    assertThat(tooHeavy.body().get("field").asText()).isEqualTo("canaryWeightBp");

    Reply negative =
        route(
            "strict",
            "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":-1,\"actor\":\"a\",\"reason\":\"r\"}");
    assertThat(negative.status()).isEqualTo(422);

    Reply noSuchVersion =
        route(
            "strict",
            "{\"stableVersion\":1,\"canaryVersion\":7,\"canaryWeightBp\":100,\"actor\":\"a\",\"reason\":\"r\"}");
    assertThat(noSuchVersion.status()).isEqualTo(422);
    assertThat(noSuchVersion.body().get("field").asText()).isEqualTo("canaryVersion");

    Reply noReason =
        route(
            "strict",
            "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":100,\"actor\":\"a\"}");
    assertThat(noReason.status()).isEqualTo(422);
    assertThat(noReason.body().get("field").asText()).isEqualTo("reason");

    Reply wrongType =
        route(
            "strict",
            "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":\"lots\",\"actor\":\"a\",\"reason\":\"r\"}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.body().get("field").asText()).isEqualTo("canaryWeightBp");

    // none of the refused writes changed anything
    Reply state = http.get("/v1/prompts/strict/routing");
    assertThat(state.body().get("canaryWeightBp").asInt()).isZero();
    assertThat(state.body().get("fenceSeq").asInt()).isZero();
  }

  @Test
  void manualRoutingIsRefusedWhileARolloutOwnsThePrompt() {
    twoVersions("owned");
    DB.jdbi()
        .onDemand(RoutingDao.class)
        .apply(new RoutingWrite("owned", null, "rollout-owned-2", 1, 1, 2, 500));
    Reply refused =
        route(
            "owned", "{\"stableVersion\":1,\"canaryWeightBp\":0,\"actor\":\"a\",\"reason\":\"r\"}");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body().get("message").asText()).contains("rollout-owned-2");
  }

  @Test
  void manualRoutingTakesOverTheClaimOfAnEndedRollout() {
    twoVersions("abandoned");
    // A rollout claimed routing, then ended without its reset (the rollback's write kept failing).
    DB.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "INSERT INTO rollouts (id, prompt, candidate_version, baseline_version, state,"
                        + " spec, workflow_id, finished_at)"
                        + " VALUES ('rollout-abandoned-2', 'abandoned', 2, 1, 'ROLLED_BACK', '{}',"
                        + " 'rollout-abandoned-2', now())"));
    DB.jdbi()
        .onDemand(RoutingDao.class)
        .apply(new RoutingWrite("abandoned", null, "rollout-abandoned-2", 1, 1, 2, 500));

    Reply set =
        route(
            "abandoned",
            "{\"stableVersion\":1,\"canaryWeightBp\":0,\"reason\":\"reset after the failed rollback\"}");
    assertThat(set.status()).as(set.body().toString()).isEqualTo(200);
    assertThat(set.body().get("rolloutId").isNull()).isTrue();
    assertThat(set.body().get("canaryWeightBp").asInt()).isZero();
    assertThat(http.get("/v1/prompts/abandoned/resolve?unit=anyone").body().get("version").asInt())
        .isEqualTo(1);
  }

  @Test
  void theRoutingReadShowsTheLastKnownGoodVersion() {
    twoVersions("promoted");
    assertThat(http.get("/v1/prompts/promoted/routing").body().get("lastKnownGoodVersion").isNull())
        .as("no promotion yet")
        .isTrue();
    // v2 promoted by a rollout (claim, then the release that makes it stable)
    RoutingDao routing = DB.jdbi().onDemand(RoutingDao.class);
    routing.applyForRollout(
        new dev.promptcanary.workflows.rollout.RoutingCommand(
            "rollout-promoted-2", "promoted", true, false, 1, 1, 2, 500, "stage 1"));
    routing.applyForRollout(
        new dev.promptcanary.workflows.rollout.RoutingCommand(
            "rollout-promoted-2", "promoted", false, true, 2, 2, null, 0, "promotion"));

    Reply read = http.get("/v1/prompts/promoted/routing");
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body().get("stableVersion").asInt()).isEqualTo(2);
    assertThat(read.body().get("lastKnownGoodVersion").asInt()).isEqualTo(1);
  }

  @Test
  void resolveAndIngestWorkWhileTemporalIsUnreachable() {
    http.post("/v1/prompts/no-temporal/versions", TestApps.version(1));
    assertThat(http.get("/v1/prompts/no-temporal/resolve?unit=u").status()).isEqualTo(200);
    Reply health = new Http(APP).get("/v1/ping");
    assertThat(health.status()).isEqualTo(200);
    jakarta.ws.rs.core.Response adminHealth =
        APP.client()
            .target("http://localhost:" + APP.getAdminPort() + "/healthcheck")
            .request()
            .get();
    // A dependency down is 503 naming the check, not a 500 (Dropwizard's own servlet's answer).
    assertThat(adminHealth.getStatus()).isEqualTo(503);
    JsonNode checks = readJson(adminHealth.readEntity(String.class));
    assertThat(checks.get("temporal").get("healthy").asBoolean()).isFalse();
    assertThat(checks.get("temporal").get("message").asText())
        .contains("Temporal at 127.0.0.1:1 is unreachable");
    assertThat(checks.get("postgresql").get("healthy").asBoolean()).isTrue();
    assertThat(checks.get("routing").get("healthy").asBoolean()).isTrue();
    assertThat(checks.toString()).doesNotContain("stack");
  }

  private static JsonNode readJson(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @Test
  void startingARolloutWithoutTemporalIs503AndLeavesNothingBehind() {
    twoVersions("later");
    Reply reply =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"later\", \"candidateVersion\": 2, \"startedBy\": \"ana\"}");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.body().get("message").asText()).contains("Temporal is unreachable");
    assertThat(http.get("/v1/rollouts?prompt=later").body()).isEmpty();
    assertThat(http.get("/v1/prompts/later/routing").body().get("rolloutId").isNull()).isTrue();
  }
}
