package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.TestApps;
import dev.promptcanary.api.TestKeys;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.cli.PromptCanaryCli;
import dev.promptcanary.testkit.ModelSimulator;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.temporal.testserver.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code eval run} as CI runs it, in this process against the whole stack (API and worker over
 * Temporal's test server, PostgreSQL, the model SIMULATOR): versions and the suite pushed with the
 * CLI, then a passing gate exits 0, a failing one 1, a run that cannot decide 4, a wait past {@code
 * --timeout} 3; each writes a JUnit XML report, read back here with the JDK's XML parser.
 */
class EvalRunCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TEMPORAL_PORT = TestApps.freePort();
  private static TestServer.PortBoundTestServer temporal;
  private static ModelSimulator simulator;
  private static TestDatabase db;
  private static DropwizardAppExtension<PromptCanaryConfiguration> app;
  @TempDir static Path work;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    temporal = TestServer.createPortBoundServer(TEMPORAL_PORT, true);
    simulator = ModelSimulator.start(0);
    db = TestDatabases.fresh();
    app =
        TestApps.embedded(
            db,
            TEMPORAL_PORT,
            config -> {
              String url = simulator.baseUrl().toString();
              config.getModel().setEnabled(true);
              config.getModel().setBaseUrl(url);
              config.getModel().setTimeout(io.dropwizard.util.Duration.seconds(10));
              config.getModel().setMaxRetries(1);
              config.getJudge().setEnabled(true);
              config.getJudge().setBaseUrl(url);
              config.getJudge().setModel(ModelSimulator.JUDGE_MODEL);
            });
    app.before();
    push("quality=0.9"); // v1, stable
    push("quality=0.3"); // v2, weak
    push("quality=0.92"); // v3, good
    push("quality=0.9 error_rate=1"); // v4, every model call fails
    push("quality=0.9 latency_ms=8000"); // v5, slow
    Path suite = work.resolve("suite.yaml");
    Files.writeString(
        suite,
        """
        name: cli-faq
        author: ci
        cases:
          - id: order
            variables: {question: "Where is my order?"}
            assertions:
              - {type: contains, value: "Simulated answer"}
              - {type: judge, rubric: "Is the answer helpful?", threshold: 0.6}
          - id: refund
            variables: {question: "Can I get a refund? <now & \\"fast\\">"}
            assertions:
              - {type: judge, rubric: "Is the answer helpful?", threshold: 0.6}
        gate: {minPassRate: 0.8}
        """);
    Run pushed = cli(Role.DEPLOYER, "suite", "push", suite.toString());
    assertThat(pushed.code()).as(pushed.err()).isZero();
  }

  @AfterAll
  static void stop() {
    try {
      if (app != null) {
        app.after();
      }
    } finally {
      if (temporal != null) {
        temporal.close();
      }
      if (simulator != null) {
        simulator.close();
      }
    }
  }

  private static void push(String marker) throws Exception {
    Path file = Files.createTempFile(work, "version", ".yaml");
    Files.writeString(
        file,
        """
        name: cli-evals
        systemPrompt: "[sim %s] You answer support questions."
        template: "{{question}}"
        model: sim-model
        author: ci
        """
            .formatted(marker));
    Run pushed = cli(Role.DEPLOYER, "prompt", "push", file.toString());
    assertThat(pushed.code()).as(pushed.err()).isZero();
  }

  private static Run cli(Role role, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        PromptCanaryCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of(
                "PROMPTCANARY_URL",
                "http://localhost:" + app.getLocalPort(),
                "PROMPTCANARY_API_KEY",
                TestKeys.key(db, role)));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run evalRun(String candidate, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "eval",
                "run",
                "--suite",
                "cli-faq",
                "--prompt",
                "cli-evals@" + candidate,
                "--interval",
                "0.2"));
    args.addAll(List.of(more));
    return cli(Role.DEPLOYER, args.toArray(String[]::new));
  }

  private static Element suiteOf(Path junit) throws Exception {
    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
    Element root = xml.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("testsuites");
    NodeList suites = root.getElementsByTagName("testsuite");
    assertThat(suites.getLength()).isEqualTo(1);
    return (Element) suites.item(0);
  }

  private static Element testcase(Element suite, String name) {
    NodeList cases = suite.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element c = (Element) cases.item(i);
      if (c.getAttribute("name").equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no testcase " + name);
  }

  private static List<String> testcaseNames(Element suite) {
    List<String> names = new ArrayList<>();
    NodeList cases = suite.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      names.add(((Element) cases.item(i)).getAttribute("name"));
    }
    return names;
  }

  @Test
  void aPassingGateExitsZeroWithEachCaseAndTheGateAsPassedTestcases() throws Exception {
    Path junit = work.resolve("reports/pass.xml");
    Run run = evalRun("3", "--junit", junit.toString());

    assertThat(run.code()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .containsPattern("eval-\\S+  cli-evals v3 against v1 on cli-faq v1  RUNNING")
        .contains("case runs 4/4 done (2 cases x 2 versions)  PASSED")
        .containsPattern("(?m)^  order +pass 0\\.9\\d +pass 0\\.9\\d *$")
        .contains("candidate v3: 2/2 passed (100.0%)")
        .contains("gate PASSED: eval suite cli-faq v1 passed: candidate v3 2/2 cases passed")
        .contains("junit " + junit);
    Element suite = suiteOf(junit);
    assertThat(suite.getAttribute("tests")).isEqualTo("3");
    assertThat(suite.getAttribute("failures")).isEqualTo("0");
    assertThat(suite.getAttribute("errors")).isEqualTo("0");
    assertThat(testcaseNames(suite)).containsExactly("order", "refund", "gate");
    assertThat(suite.getElementsByTagName("failure").getLength()).isZero();
    assertThat(testcase(suite, "order").getAttribute("classname"))
        .isEqualTo("promptcanary.eval.cli-faq");
    // The answers are kept for the reader of the report, escaped by the writer and read back whole.
    assertThat(testcase(suite, "refund").getTextContent())
        .contains("candidate v3 (pass")
        .contains("Simulated answer to: Can I get a refund? <now & \"fast\">");
  }

  @Test
  void aFailingGateExitsOneWithTheFailedCasesAndTheGateAsFailures() throws Exception {
    Path junit = work.resolve("fail.xml");
    Run run = evalRun("2", "--junit", junit.toString());

    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.out())
        .containsPattern("(?m)^  order +FAIL 0\\.\\d\\d +pass 0\\.9\\d +judge: ")
        .contains("gate FAILED: eval suite cli-faq v1 blocked the candidate: pass rate 0.0%");
    Element suite = suiteOf(junit);
    assertThat(suite.getAttribute("tests")).isEqualTo("3");
    assertThat(suite.getAttribute("failures")).isEqualTo("3");
    Element order = (Element) testcase(suite, "order").getElementsByTagName("failure").item(0);
    assertThat(order.getAttribute("type")).isEqualTo("assertion");
    assertThat(order.getAttribute("message")).startsWith("judge: ");
    Element gate = (Element) testcase(suite, "gate").getElementsByTagName("failure").item(0);
    assertThat(gate.getAttribute("type")).isEqualTo("gate");
    assertThat(gate.getAttribute("message"))
        .startsWith("eval suite cli-faq v1 blocked the candidate");
  }

  @Test
  void aRunThatCannotDecideExitsFourWithOneErrorLineAndAnErroredGate() throws Exception {
    Path junit = work.resolve("error.xml");
    Run run = evalRun("4", "--junit", junit.toString(), "--baseline", "3");

    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(4);
    assertThat(run.err().lines())
        .singleElement()
        .asString()
        .startsWith("error: eval eval-")
        .contains("could not decide")
        .contains("model call failed");
    Element suite = suiteOf(junit);
    assertThat(suite.getAttribute("errors")).isEqualTo("1");
    Element gate = (Element) testcase(suite, "gate").getElementsByTagName("error").item(0);
    assertThat(gate.getAttribute("message")).contains("could not finish");
  }

  @Test
  void aWaitPastTheTimeoutExitsThreeAndTheEvalGoesOn() throws Exception {
    Path junit = work.resolve("timeout.xml");
    Run run = evalRun("5", "--junit", junit.toString(), "--timeout", "1", "-o", "json");

    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(3);
    JsonNode last = JSON.readTree(run.out());
    assertThat(last.path("state").asText()).isEqualTo("RUNNING");
    Element suite = suiteOf(junit);
    Element gate = (Element) testcase(suite, "gate").getElementsByTagName("error").item(0);
    assertThat(gate.getAttribute("type")).isEqualTo("timeout");
    assertThat(testcase(suite, "order").getElementsByTagName("skipped").getLength()).isEqualTo(1);

    // The same request id follows the same eval instead of starting another.
    Run first = evalRun("3", "--request-id", "ci-build-12", "-o", "json");
    Run again = evalRun("3", "--request-id", "ci-build-12", "-o", "json");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(JSON.readTree(again.out()).path("id").asText())
        .isEqualTo(JSON.readTree(first.out()).path("id").asText())
        .isEqualTo("eval-ci-build-12");
  }

  @Test
  void badArgumentsAreOneLineNamingWhatIsWrong() {
    Run noVersion =
        cli(Role.DEPLOYER, "eval", "run", "--suite", "cli-faq", "--prompt", "cli-evals");
    assertThat(noVersion.code()).isEqualTo(4);
    assertThat(noVersion.err())
        .isEqualTo("error: --prompt: expected NAME@VERSION, got 'cli-evals' (field --prompt)\n");

    Run unknownSuite =
        cli(Role.DEPLOYER, "eval", "run", "--suite", "nope", "--prompt", "cli-evals@3");
    assertThat(unknownSuite.code()).isEqualTo(4);
    assertThat(unknownSuite.err())
        .isEqualTo("error: no eval suite named 'nope' (field suite, HTTP 422)\n");

    Run reader = cli(Role.READER, "eval", "run", "--suite", "cli-faq", "--prompt", "cli-evals@3");
    assertThat(reader.code()).isEqualTo(4);
    assertThat(reader.err()).contains("HTTP 403");

    Run missing = cli(Role.DEPLOYER, "eval", "run", "--prompt", "cli-evals@3");
    assertThat(missing.code()).isEqualTo(64);
    assertThat(missing.err()).contains("--suite");
  }
}
