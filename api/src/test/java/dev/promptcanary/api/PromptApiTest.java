package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class PromptApiTest {
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP =
      TestApps.api(TestDatabases.fresh());
  final Http http = new Http(APP);

  @Test
  void createsImmutableVersionsAndReturnsTheExistingOneForTheSameContent() {
    Reply created = http.post("/v1/prompts/faq/versions", TestApps.version(1));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().get("version").asInt()).isEqualTo(1);
    assertThat(created.body().get("variables").get(0).asText()).isEqualTo("question");
    assertThat(created.body().get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    Reply again = http.post("/v1/prompts/faq/versions", TestApps.version(1));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("version").asInt()).isEqualTo(1);

    Reply second = http.post("/v1/prompts/faq/versions", TestApps.version(2));
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.body().get("version").asInt()).isEqualTo(2);

    assertThat(http.get("/v1/prompts/faq/versions").body()).hasSize(2);
    Reply one = http.get("/v1/prompts/faq/versions/1");
    assertThat(one.body().get("content").get("systemPrompt").asText())
        .isEqualTo("You are support agent number 1.");

    // there is no way to modify a version
    assertThat(http.put("/v1/prompts/faq/versions/1", TestApps.version(3)).status()).isEqualTo(405);
    assertThat(http.get("/v1/prompts/faq/versions/1").body().get("contentHash"))
        .isEqualTo(one.body().get("contentHash"));
  }

  @Test
  void listsPrompts() {
    http.post("/v1/prompts/listed/versions", TestApps.version(1));
    Reply list = http.get("/v1/prompts?limit=500");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().findValuesAsText("name")).contains("listed");
  }

  @Test
  void unknownPromptsAndVersionsAre404NamingTheField() {
    Reply noPrompt = http.get("/v1/prompts/nobody/versions");
    assertThat(noPrompt.status()).isEqualTo(404);
    assertThat(noPrompt.body().get("field").asText()).isEqualTo("name");

    http.post("/v1/prompts/known/versions", TestApps.version(1));
    Reply noVersion = http.get("/v1/prompts/known/versions/9");
    assertThat(noVersion.status()).isEqualTo(404);
    assertThat(noVersion.body().get("field").asText()).isEqualTo("version");

    Reply badNumber = http.get("/v1/prompts/known/versions/abc");
    assertThat(badNumber.status()).isEqualTo(422);
    assertThat(badNumber.body().get("field").asText()).isEqualTo("version");
  }

  @Test
  void badInputIsA4xxNamingTheFieldAndWritesNothing() {
    Reply badName = http.post("/v1/prompts/Bad%20Name/versions", TestApps.version(1));
    assertThat(badName.status()).isEqualTo(422);
    assertThat(badName.body().get("field").asText()).isEqualTo("name");

    Reply missing =
        http.post(
            "/v1/prompts/invalid/versions",
            "{\"systemPrompt\": \"x\", \"model\": \"m\", \"author\": \"a\"}");
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.body().get("field").asText()).isEqualTo("template");
    assertThat(missing.body().get("code").asInt()).isEqualTo(422);
    assertThat(missing.body().get("message").asText()).contains("template");

    Reply wrongType =
        http.post(
            "/v1/prompts/invalid/versions",
            "{\"systemPrompt\": \"x\", \"template\": \"t\", \"model\": \"m\", \"author\": \"a\", \"fewShot\": 7}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.body().get("field").asText()).isEqualTo("fewShot");

    Reply notJson = http.post("/v1/prompts/invalid/versions", "{not json");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().get("field").asText()).isEqualTo("body");

    Reply wrongMediaType = http.send("POST", "/v1/prompts/invalid/versions", "text/plain", "hello");
    assertThat(wrongMediaType.status()).isEqualTo(415);

    Reply empty = http.send("POST", "/v1/prompts/invalid/versions", "application/json", "");
    assertThat(empty.status()).isEqualTo(422);
    assertThat(empty.body().get("field").asText()).isEqualTo("body");

    assertThat(http.get("/v1/prompts/invalid/versions").status()).isEqualTo(404);
  }

  @Test
  void unknownPathsAnswerInTheErrorShape() {
    Reply reply = http.get("/v1/nothing-here");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.body().get("code").asInt()).isEqualTo(404);
    assertThat(reply.body().get("message").asText()).isNotBlank();
  }
}
