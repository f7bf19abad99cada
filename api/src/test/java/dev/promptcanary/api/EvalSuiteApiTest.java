package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.eval.SuiteEvalRunner;
import dev.promptcanary.activities.model.ChatResponse;
import dev.promptcanary.activities.model.JudgeScore;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class EvalSuiteApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP = TestApps.api(DB);
  final Http http = new Http(APP);

  static String suite(String name, String expected) {
    return """
        {"name": "%s", "author": "ana",
         "cases": [
           {"id": "refund", "variables": {"question": "can I get my money back?"},
            "assertions": [{"type": "contains", "value": "%s"},
                           {"type": "json_schema", "schema": {"type": "object", "required": ["answer"]}},
                           {"type": "judge", "rubric": "Does it offer a refund?", "threshold": 0.5}]},
           {"id": "short", "variables": {"question": "hi"},
            "assertions": [{"type": "max_length", "max": 200}, {"type": "regex", "pattern": "^\\\\{"}]}],
         "gate": {"minPassRate": 1.0, "minMeanJudgeScore": 0.5, "maxDropVsBaseline": 0.1}}
        """
        .formatted(name, expected);
  }

  @Test
  void createsVersionsAndReturnsTheExistingOneForTheSameContent() {
    Reply created = http.post("/v1/eval-suites", suite("support", "refund"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().get("name").asText()).isEqualTo("support");
    assertThat(created.body().get("version").asInt()).isEqualTo(1);
    assertThat(created.body().get("contentHash").asText()).startsWith("sha256:");
    assertThat(created.body().at("/definition/cases/0/assertions/1/schema/type").asText())
        .isEqualTo("object");
    assertThat(created.body().at("/definition/gate/maxDropVsBaseline").asDouble()).isEqualTo(0.1);

    Reply again = http.post("/v1/eval-suites", suite("support", "refund"));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("version").asInt()).isEqualTo(1);

    Reply second = http.post("/v1/eval-suites", suite("support", "money"));
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.body().get("version").asInt()).isEqualTo(2);

    assertThat(http.get("/v1/eval-suites/support").body().get("version").asInt()).isEqualTo(2);
    assertThat(http.get("/v1/eval-suites/support/versions").body()).hasSize(2);
    assertThat(
            http.get("/v1/eval-suites/support/versions/1")
                .body()
                .at("/definition/cases/0/assertions/0/value")
                .asText())
        .isEqualTo("refund");
    Reply list = http.get("/v1/eval-suites");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().findValuesAsText("name")).contains("support");
  }

  @Test
  void unknownSuitesAndVersionsAre404NamingTheField() {
    Reply none = http.get("/v1/eval-suites/nobody");
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.body().get("field").asText()).isEqualTo("name");

    http.post("/v1/eval-suites", suite("known", "refund"));
    Reply noVersion = http.get("/v1/eval-suites/known/versions/7");
    assertThat(noVersion.status()).isEqualTo(404);
    assertThat(noVersion.body().get("field").asText()).isEqualTo("version");
    assertThat(http.get("/v1/eval-suites/known/versions/x").status()).isEqualTo(422);
  }

  @Test
  void badSuitesAre422NamingTheFieldAndStoreNothing() {
    String badRegex =
        """
        {"name": "bad", "author": "ana",
         "cases": [
           {"id": "a", "assertions": [{"type": "contains", "value": "x"}]},
           {"id": "b", "assertions": [{"type": "contains", "value": "x"}]},
           {"id": "c", "assertions": [{"type": "valid_json"}]},
           {"id": "d", "assertions": [{"type": "regex", "pattern": "([a-z"}]}],
         "gate": {"minPassRate": 0.9}}
        """;
    Reply regex = http.post("/v1/eval-suites", badRegex);
    assertThat(regex.status()).isEqualTo(422);
    assertThat(regex.body().get("code").asInt()).isEqualTo(422);
    assertThat(regex.body().get("field").asText()).isEqualTo("cases[3].assertions[0].pattern");
    assertThat(regex.body().get("message").asText()).contains("not a valid regular expression");

    Reply several =
        http.post(
            "/v1/eval-suites",
            """
            {"name": "Bad Name", "author": "ana",
             "cases": [{"id": "a", "assertions": [{"type": "sounds_good"}, {"type": "judge", "rubric": "r"}]}],
             "gate": {"minPassRate": 2}}
            """);
    assertThat(several.status()).isEqualTo(422);
    assertThat(several.body().get("errors").findValuesAsText("field"))
        .containsExactly(
            "name",
            "cases[0].assertions[0].type",
            "cases[0].assertions[1].threshold",
            "gate.minPassRate");

    Reply schema =
        http.post(
            "/v1/eval-suites",
            """
            {"name": "schema", "author": "ana",
             "cases": [{"id": "a", "assertions": [{"type": "json_schema", "schema": {"type": "thing"}}]}],
             "gate": {"minPassRate": 1}}
            """);
    assertThat(schema.status()).isEqualTo(422);
    assertThat(schema.body().get("field").asText()).isEqualTo("cases[0].assertions[0].schema");

    Reply noAuthor =
        http.post("/v1/eval-suites", suite("anonymous", "x").replace("\"author\": \"ana\",", ""));
    assertThat(noAuthor.status()).isEqualTo(422);
    assertThat(noAuthor.body().get("field").asText()).isEqualTo("author");

    Reply wrongType =
        http.post("/v1/eval-suites", "{\"name\": \"typed\", \"author\": \"a\", \"cases\": 3}");
    assertThat(wrongType.status()).isEqualTo(400);

    assertThat(http.get("/v1/eval-suites/bad").status()).isEqualTo(404);
    assertThat(http.get("/v1/eval-suites/schema").status()).isEqualTo(404);
  }

  @Test
  void theRolloutsEvalReportIsServedFromTheStore() {
    assertThat(http.get("/v1/rollouts/rollout-faq-2/eval").status()).isEqualTo(404);
    http.post("/v1/prompts/faq/versions", TestApps.version(1));
    http.post("/v1/prompts/faq/versions", TestApps.version(2));
    http.post("/v1/eval-suites", suite("faq-suite", "refund"));

    EvalSummary summary =
        new SuiteEvalRunner(
                DB.jdbi(),
                request ->
                    new ChatResponse("{\"answer\": \"a refund\"}", "sim-model", 30, 8, 0.002, 4),
                request -> new JudgeScore(0.8, "fine", "judge-1", "r1"))
            .run(new EvalRequest("rollout-faq-2", "faq", 2, 1, "faq-suite"));
    assertThat(summary.passed()).isTrue();

    Reply report = http.get("/v1/rollouts/rollout-faq-2/eval");
    assertThat(report.status()).isEqualTo(200);
    assertThat(report.body().get("state").asText()).isEqualTo("PASSED");
    assertThat(report.body().get("reason").asText()).isEqualTo(summary.reason());
    assertThat(report.body().at("/candidate/passRate").asDouble()).isEqualTo(1.0);
    assertThat(report.body().at("/candidate/meanJudgeScore").asDouble()).isEqualTo(0.8);
    assertThat(report.body().at("/candidate/cost").asDouble()).isEqualTo(0.004);
    assertThat(report.body().at("/baseline/version").asInt()).isEqualTo(1);
    assertThat(report.body().get("cases")).hasSize(4);
    assertThat(report.body().at("/cases/0/assertions/0/passed").asBoolean()).isTrue();
  }
}
