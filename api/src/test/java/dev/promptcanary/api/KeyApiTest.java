package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.store.Actor;
import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.commands.KeyCommand;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * API keys end to end on two nodes over one database: create (secret shown once), list (no
 * secrets), revoke and rotate, refused by the other node within a second; 401 and 403 in the error
 * shape; the actor of a change is the key's name, whatever the body says.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class KeyApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> NODE_A = TestApps.api(DB);
  static final DropwizardAppExtension<PromptCanaryConfiguration> NODE_B = TestApps.api(DB);
  final Http admin = new Http(NODE_A);

  private JsonNode create(String name, String role) {
    Reply created =
        admin.post("/v1/keys", "{\"name\": \"%s\", \"role\": \"%s\"}".formatted(name, role));
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    return created.body();
  }

  @Test
  void aKeyIsShownOnceListedWithoutItsSecretAndWorksForItsRoleOnEveryNode() {
    JsonNode created = create("ci-pipeline", "deployer");
    String secret = created.get("secret").asText();
    long id = created.get("key").get("id").asLong();
    assertThat(secret).startsWith("pck_").hasSizeGreaterThan(40);
    assertThat(created.get("key").get("prefix").asText()).startsWith(secret.substring(0, 12));

    Reply list = admin.get("/v1/keys");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().findValuesAsText("name")).contains("ci-pipeline", "test-admin");
    assertThat(list.body().toString()).doesNotContain(secret).doesNotContain("sha256");
    assertThat(admin.get("/v1/keys/" + id).body().get("role").asText()).isEqualTo("deployer");

    // Accepted at once by the node that made it, within a second by the other.
    Http onA = new Http(NODE_A).withKey(secret);
    Http onB = new Http(NODE_B).withKey(secret);
    assertThat(onA.post("/v1/prompts/keyed/versions", TestApps.version(1)).status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(1)).until(() -> onB.get("/v1/prompts").status() == 200);
    // A deployer may not set routing by hand (admin only).
    assertThat(onB.put("/v1/prompts/keyed/routing", routing()).status()).isEqualTo(403);

    Reply duplicate = admin.post("/v1/keys", "{\"name\": \"ci-pipeline\", \"role\": \"reader\"}");
    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.body().get("field").asText()).isEqualTo("name");
  }

  @Test
  void aRevokedKeyIsRefusedByTheOtherNodeWithinASecond() {
    JsonNode created = create("short-lived", "client");
    String secret = created.get("secret").asText();
    long id = created.get("key").get("id").asLong();
    Http onB = new Http(NODE_B).withKey(secret);
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> onB.get("/v1/prompts/none/resolve?unit=u").status() == 404);

    Reply revoked = admin.delete("/v1/keys/" + id + "?reason=leaked%20in%20a%20log");
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.body().get("revokedBy").asText()).isEqualTo("test-admin");
    assertThat(new Http(NODE_A).withKey(secret).get("/v1/prompts/none/resolve?unit=u").status())
        .as("refused at once on the node that revoked it")
        .isEqualTo(401);
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> onB.get("/v1/prompts/none/resolve?unit=u").status() == 401);
    // Revoking again changes nothing.
    assertThat(admin.delete("/v1/keys/" + id).body().get("revokedAt"))
        .isEqualTo(revoked.body().get("revokedAt"));
    assertThat(admin.get("/v1/keys").body().findValuesAsText("name")).doesNotContain("short-lived");
    assertThat(admin.get("/v1/keys?revoked=true").body().findValuesAsText("name"))
        .contains("short-lived");
  }

  /**
   * How a restore from a backup older than a revocation is repaired (docs/operations.md, section
   * 8): the key revived by the restore is revoked again against the database, and every node
   * refuses it, within a second, as after a revocation through the API.
   */
  @Test
  void aKeyRevokedFromTheCommandLineIsRefusedByEveryNode() {
    JsonNode created = create("revived-by-restore", "client");
    String secret = created.get("secret").asText();
    long id = created.get("key").get("id").asLong();
    for (var node : List.of(NODE_A, NODE_B)) {
      Http caller = new Http(node).withKey(secret);
      await()
          .atMost(Duration.ofSeconds(1))
          .until(() -> caller.get("/v1/prompts/none/resolve?unit=u").status() == 404);
    }

    List<ApiKeyDao.ApiKey> revoked =
        KeyCommand.revoke(
            DB.jdbi(), false, List.of(id), "revoked before the backup was restored", CLI);
    assertThat(revoked).extracting(ApiKeyDao.ApiKey::id).containsExactly(id);
    for (var node : List.of(NODE_A, NODE_B)) {
      Http caller = new Http(node).withKey(secret);
      await()
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> caller.get("/v1/prompts/none/resolve?unit=u").status() == 401);
    }
    JsonNode entry = admin.get("/v1/audit?actor=ops-on-call").body().get("entries").get(0);
    assertThat(entry.get("action").asText()).isEqualTo("key.revoke");
    assertThat(entry.get("role").asText()).isEqualTo("cli");
    assertThat(entry.get("reason").asText()).isEqualTo("revoked before the backup was restored");
    // Again: nothing more is revoked, and a key that does not exist is named.
    assertThat(KeyCommand.revoke(DB.jdbi(), false, List.of(id), "again", CLI)).isEmpty();
    assertThatThrownBy(() -> KeyCommand.revoke(DB.jdbi(), false, List.of(999_999L), "x", CLI))
        .hasMessageContaining("no key with id 999999");
    assertThatThrownBy(() -> KeyCommand.revoke(DB.jdbi(), false, List.of(id), " ", CLI))
        .hasMessageContaining("--reason");
  }

  static final Actor CLI = new Actor("ops-on-call", "cli");

  @Test
  void rotationReplacesTheSecretKeepingNameAndRole() {
    JsonNode created = create("dashboards", "reader");
    String old = created.get("secret").asText();
    long id = created.get("key").get("id").asLong();
    Reply rotated = admin.post("/v1/keys/" + id + "/rotate", "");
    assertThat(rotated.status()).as(String.valueOf(rotated.body())).isEqualTo(201);
    String fresh = rotated.body().get("secret").asText();
    assertThat(fresh).isNotEqualTo(old);
    assertThat(rotated.body().get("key").get("name").asText()).isEqualTo("dashboards");
    assertThat(rotated.body().get("key").get("role").asText()).isEqualTo("reader");
    assertThat(new Http(NODE_A).withKey(old).get("/v1/prompts").status()).isEqualTo(401);
    assertThat(new Http(NODE_A).withKey(fresh).get("/v1/prompts").status()).isEqualTo(200);
    assertThat(admin.get("/v1/keys/" + id).body().get("replacedBy").asLong())
        .isEqualTo(rotated.body().get("key").get("id").asLong());
    assertThat(admin.post("/v1/keys/" + id + "/rotate", "").status()).isEqualTo(409);

    JsonNode audit = admin.get("/v1/audit?actor=test-admin").body().get("entries");
    assertThat(audit.findValuesAsText("action")).contains("key.create", "key.rotate");
  }

  @Test
  void badKeyRequestsNameTheField() {
    Reply role = admin.post("/v1/keys", "{\"name\": \"x\", \"role\": \"root\"}");
    assertThat(role.status()).isEqualTo(422);
    assertThat(role.body().get("field").asText()).isEqualTo("role");
    Reply name = admin.post("/v1/keys", "{\"name\": \"has space\", \"role\": \"reader\"}");
    assertThat(name.status()).isEqualTo(422);
    assertThat(name.body().get("field").asText()).isEqualTo("name");
    assertThat(admin.get("/v1/keys/abc").status()).isEqualTo(422);
    assertThat(admin.get("/v1/keys/999999").status()).isEqualTo(404);
    assertThat(admin.get("/v1/keys?revoked=maybe").body().get("field").asText())
        .isEqualTo("revoked");
  }

  @Test
  void withoutAKeyOrWithTheWrongRoleTheAnswerHasTheErrorShapeAndSaysNothingOfTheResource() {
    Reply missing = admin.anonymous().get("/v1/rollouts/rollout-exists-or-not");
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.body().get("code").asInt()).isEqualTo(401);
    assertThat(missing.body().get("field").asText()).isEqualTo("Authorization");
    assertThat(missing.body().get("message").asText()).contains("Bearer");
    try (Response raw =
        NODE_A
            .client()
            .target("http://localhost:" + NODE_A.getLocalPort() + "/v1/prompts")
            .request()
            .get()) {
      assertThat(raw.getHeaderString("WWW-Authenticate")).startsWith("Bearer");
    }
    try (Response basic =
        NODE_A
            .client()
            .target("http://localhost:" + NODE_A.getLocalPort() + "/v1/prompts")
            .request()
            .header("Authorization", "Basic " + TestKeys.key(DB, Role.ADMIN))
            .get()) {
      assertThat(basic.getStatus()).as("a key under another scheme").isEqualTo(401);
    }

    Reply forbidden = admin.as(Role.READER).get("/v1/keys");
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.body().get("field").asText()).isEqualTo("Authorization");
    Reply forbiddenMissing = admin.as(Role.CLIENT).get("/v1/rollouts/rollout-none-9");
    assertThat(forbiddenMissing.status()).isEqualTo(403);
    assertThat(forbiddenMissing.body().toString()).doesNotContain("rollout-none-9");
  }

  @Test
  void theActorOfAChangeIsTheKeysNameNotTheBody() {
    admin.post("/v1/prompts/actors/versions", TestApps.version(1));
    admin.post("/v1/prompts/actors/versions", TestApps.version(2));
    Reply set =
        admin.put(
            "/v1/prompts/actors/routing",
            "{\"stableVersion\": 1, \"canaryVersion\": 2, \"canaryWeightBp\": 500,"
                + " \"actor\": \"mallory\", \"reason\": \"manual canary\"}");
    assertThat(set.status()).isEqualTo(200);
    JsonNode entries = admin.as(Role.READER).get("/v1/audit?prompt=actors").body().get("entries");
    JsonNode manual = null;
    for (JsonNode entry : entries) {
      if (entry.get("action").asText().equals("routing.manual")) {
        manual = entry;
      }
    }
    assertThat(manual).as(entries.toString()).isNotNull();
    assertThat(manual.get("actor").asText()).isEqualTo("test-admin");
    assertThat(manual.get("role").asText()).isEqualTo("admin");
    assertThat(manual.get("reason").asText()).isEqualTo("manual canary");
    assertThat(manual.get("before").get("canaryWeightBp").asInt()).isZero();
    assertThat(manual.get("after").get("canaryWeightBp").asInt()).isEqualTo(500);
    assertThat(entries.toString()).doesNotContain("mallory");
    assertThat(entries.findValuesAsText("action")).contains("version.create");
  }

  private static String routing() {
    return "{\"stableVersion\": 1, \"canaryWeightBp\": 0, \"reason\": \"x\"}";
  }
}
