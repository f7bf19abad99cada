package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /v1/audit}: filtered, paginated, validated; the log itself is append-only. */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP = TestApps.api(DB);
  final Http admin = new Http(APP);
  final Http reader = admin.as(Role.READER);

  @Test
  void versionsSuitesAndRoutingAreAuditedWithActorRoleAndBeforeAfter() {
    assertThat(
            admin
                .as(Role.DEPLOYER)
                .post("/v1/prompts/audited/versions", TestApps.version(1))
                .status())
        .isEqualTo(201);
    // the same content again creates nothing and audits nothing
    admin.as(Role.DEPLOYER).post("/v1/prompts/audited/versions", TestApps.version(1));
    admin.post("/v1/prompts/audited/versions", TestApps.version(2));
    admin.put(
        "/v1/prompts/audited/routing",
        "{\"stableVersion\": 2, \"canaryWeightBp\": 0, \"reason\": \"v2 is better\"}");
    assertThat(
            admin
                .as(Role.DEPLOYER)
                .post(
                    "/v1/eval-suites",
                    """
                    {"name": "audited-suite", "author": "ana",
                     "cases": [{"id": "a", "variables": {}, "assertions": [{"type": "max_length", "max": 10}]}],
                     "gate": {"minPassRate": 1.0}}""")
                .status())
        .isEqualTo(201);

    JsonNode entries = reader.get("/v1/audit?prompt=audited").body().get("entries");
    assertThat(entries.findValuesAsText("action"))
        .containsExactly("version.create", "version.create", "routing.manual");
    assertThat(entries.get(0).get("actor").asText()).isEqualTo("test-deployer");
    assertThat(entries.get(0).get("role").asText()).isEqualTo("deployer");
    assertThat(entries.get(0).get("after").get("version").asInt()).isEqualTo(1);
    assertThat(entries.get(1).get("actor").asText()).isEqualTo("test-admin");
    JsonNode routing = entries.get(2);
    assertThat(routing.get("reason").asText()).isEqualTo("v2 is better");
    assertThat(routing.get("before").get("stableVersion").asInt()).isEqualTo(1);
    assertThat(routing.get("after").get("stableVersion").asInt()).isEqualTo(2);
    assertThat(routing.get("at").asText()).endsWith("Z");

    JsonNode byDeployer = reader.get("/v1/audit?actor=test-deployer").body().get("entries");
    assertThat(byDeployer.findValuesAsText("action"))
        .containsExactly("version.create", "suite.create");
    assertThat(
            reader.get("/v1/audit?prompt=audited&since=2999-01-01T00:00:00Z").body().get("entries"))
        .isEmpty();
    assertThat(admin.as(Role.CLIENT).get("/v1/audit").status()).isEqualTo(403);
  }

  @Test
  void pagesFollowNextAfterUntilTheEnd() {
    for (int i = 1; i <= 5; i++) {
      admin.post("/v1/prompts/paged/versions", TestApps.version(i));
    }
    List<String> seen = new ArrayList<>();
    String after = "";
    int pages = 0;
    while (after != null) {
      Reply page =
          reader.get("/v1/audit?prompt=paged&limit=2" + (after.isEmpty() ? "" : "&after=" + after));
      assertThat(page.status()).isEqualTo(200);
      page.body().get("entries").forEach(e -> seen.add(e.get("after").get("version").asText()));
      JsonNode next = page.body().get("nextAfter");
      after = next.isNull() ? null : next.asText();
      pages++;
    }
    assertThat(seen).containsExactly("1", "2", "3", "4", "5");
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void badParametersAre422NamingThem() {
    for (String[] bad :
        new String[][] {
          {"since=yesterday", "since"},
          {"since=%2B100000-01-01T00:00:00Z", "since"},
          {"limit=0", "limit"},
          {"limit=501", "limit"},
          {"after=-1", "after"},
          {"after=x", "after"},
          {"prompt=Bad%20Name", "prompt"},
          {"actor=a%00b", "actor"},
          {"rollout=" + "r".repeat(201), "rollout"},
        }) {
      Reply reply = reader.get("/v1/audit?" + bad[0]);
      assertThat(reply.status()).as(bad[0]).isEqualTo(422);
      assertThat(reply.body().get("field").asText()).as(bad[0]).isEqualTo(bad[1]);
    }
  }

  @Test
  void theLogIsAppendOnly() {
    admin.post("/v1/prompts/kept/versions", TestApps.version(1));
    assertThatThrownBy(
            () ->
                DB.jdbi().useHandle(h -> h.execute("UPDATE audit_log SET actor = 'someone else'")))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> DB.jdbi().useHandle(h -> h.execute("DELETE FROM audit_log")))
        .hasMessageContaining("append-only");
  }
}
