package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard end to end in headless Chromium (Debian's {@code chromium} and its {@code
 * chromedriver}, as {@code scripts/install-chromium} installs them; skipped when they are absent):
 * on the embedded stack, a rollout of two stages under session traffic, followed in the page as a
 * deployer would: the key typed into the key page, the charts drawn with data, the state changing
 * by itself (stage 1 passes and waits for an approval), then approve and pause clicked with a
 * reason, each seen in the page. At a laptop's width and a phone's; screenshots in {@code
 * target/screenshots/}.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DashboardBrowserTest {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  static final EmbeddedStack APP = EmbeddedStack.embedded();
  static final TestDatabase DB = APP.db();
  final Http http = new Http(APP);
  private WebDriver browser;
  private final AtomicBoolean trafficOn = new AtomicBoolean(true);
  private Thread traffic;

  private String rolloutId;

  @AfterEach
  void stop() throws Exception {
    trafficOn.set(false);
    if (browser != null) {
      screenshot("last"); // what the page showed when the test ended, passed or not
    }
    if (rolloutId != null) {
      System.out.println("rollout at the end: " + http.get("/v1/rollouts/" + rolloutId).body());
    }
    if (traffic != null) {
      traffic.join(30_000);
    }
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void aDeployerFollowsARolloutApprovesItsStageAndPausesIt() throws Exception {
    Assumptions.assumeTrue(HeadlessChromium.missing() == null, HeadlessChromium.missing());
    String prompt = "dash";
    assertThat(http.post("/v1/prompts/" + prompt + "/versions", TestApps.version(1)).status())
        .isEqualTo(201);
    assertThat(http.post("/v1/prompts/" + prompt + "/versions", TestApps.version(2)).status())
        .isEqualTo(201);
    // Stage 1 passes on a little traffic (quality's margin widened) and waits for approval; stage
    // 2 needs more scores than this test sends, so the rollout is still running when paused.
    Reply started =
        http.as(Role.DEPLOYER)
            .post(
                "/v1/rollouts",
                """
        {"prompt": "dash", "candidateVersion": 2, "checkIntervalSeconds": 1,
         "gates": {"quality": {"margin": 0.3}, "latency": {"margin": 0.5, "promotionConfidence": 0},
                   "sampleRatio": {"relativeTolerance": 0.9}},
         "stages": [
           {"weightBp": 3000, "minJudgements": 30, "minBakeSeconds": 0, "maxBakeSeconds": 600, "requireApproval": true},
           {"weightBp": 5000, "minJudgements": 1000000, "minBakeSeconds": 0, "maxBakeSeconds": 600}]}
        """);
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    rolloutId = id;
    await("CANARY")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> http.get("/v1/rollouts/" + id).body().path("state").asText(), "CANARY"::equals);

    long t0 = System.nanoTime();
    browser = HeadlessChromium.start(1280, 900);
    browser.get("http://localhost:" + APP.getLocalPort() + "/ui/rollouts/" + id);
    // The key page first: the key is kept in this browser and the page fetched with it.
    browser.findElement(By.id("key")).sendKeys(TestKeys.key(DB, Role.DEPLOYER));
    browser.findElement(By.cssSelector("#key-form button")).click();
    await("the dashboard").atMost(Duration.ofSeconds(20)).until(() -> present("dashboard"));
    assertThat(state()).isEqualTo("CANARY");

    System.out.printf(
        "dashboard test: page shown after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    traffic = new Thread(() -> sessions(prompt), "dashboard-traffic");
    traffic.start();

    // The state changes by itself: stage 1's gates pass and it waits for a person.
    await("AWAITING_APPROVAL in the page")
        .atMost(Duration.ofSeconds(150))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> state().equals("AWAITING_APPROVAL"));
    System.out.printf(
        "dashboard test: awaiting approval after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    await("charts with data")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () ->
                points("chart-samples") > 0
                    && points("chart-weight") >= 2
                    && !browser
                        .findElements(By.cssSelector("#gate-charts figure.gate canvas"))
                        .isEmpty());
    assertThat(browser.findElements(By.cssSelector("#chart-samples canvas"))).isNotEmpty();
    assertThat(browser.findElements(By.cssSelector("#chart-weight canvas"))).isNotEmpty();
    assertThat(attributes("#gate-charts figure.gate", "data-gate"))
        .contains("QUALITY", "ERROR_RATE", "SAMPLE_RATIO");
    assertThat(browser.findElements(By.cssSelector("#ledger-rows tr"))).isNotEmpty();
    assertThat(browser.findElements(By.cssSelector("#history-rows tr"))).isNotEmpty();
    assertThat(browser.findElement(By.id("history-note")).getText()).contains("run(s)");
    assertThat(browser.findElement(By.id("audit-rows")).getText())
        .contains("rollout.start", "routing.rollout");
    assertThat(attributes("#stages li", "data-status")).first().isEqualTo("current");
    screenshot("dashboard-1280-awaiting-approval");

    // A control without a reason is refused in the page; with one it is sent.
    click("approve");
    assertThat(browser.findElement(By.cssSelector("form.controls .result")).getText())
        .contains("a reason is required");
    browser.findElement(By.name("reason")).sendKeys("numbers look fine (browser test)");
    click("approve");
    // Generous waits: on a loaded machine (load average 30 on 2 cores) one poll took up to 6 s.
    await("stage 2 in the page")
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () ->
                state().equals("CANARY")
                    && browser.findElement(By.id("fact-stage")).getText().equals("2 / 2"));
    assertThat(attributes("#stages li", "data-status")).containsExactly("done", "current");

    // At a phone's width: nothing wider than the screen, the charts redrawn to fit.
    browser.manage().window().setSize(new Dimension(390, 844));
    await("the phone layout")
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () ->
                ((Number) js("return document.documentElement.scrollWidth")).intValue()
                        <= ((Number) js("return window.innerWidth")).intValue()
                    && ((Number)
                                js(
                                    "return document.querySelector('#chart-samples canvas')"
                                        + ".getBoundingClientRect().right"))
                            .intValue()
                        <= ((Number) js("return window.innerWidth")).intValue());
    // The approve's answer may be lost (see the report of this test's commit), so the field is
    // cleared by hand.
    browser.findElement(By.name("reason")).clear();
    browser.findElement(By.name("reason")).sendKeys("checking something (browser test)");
    click("pause");
    await("PAUSED in the page")
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> state().equals("PAUSED"));
    assertThat(browser.findElement(By.id("paused-because")).getText())
        .contains("a person paused it");
    assertThat(browser.findElement(By.cssSelector("form.controls .result")).getText())
        .isEqualTo("pause: PAUSED");
    await("resume offered instead of pause")
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> actions().contains("resume") && !actions().contains("pause"));
    screenshot("dashboard-390-paused");
    browser.manage().window().setSize(new Dimension(1280, 900));
    screenshot("dashboard-1280-paused");
    assertThat(http.get("/v1/rollouts/" + id).body().path("state").asText()).isEqualTo("PAUSED");
    assertThat(http.get("/v1/audit?rollout=" + id).body().findValuesAsText("action"))
        .contains("rollout.approve", "rollout.pause");

    // The list shows it, as PAUSED, with its stage and weight.
    browser.get("http://localhost:" + APP.getLocalPort() + "/ui/rollouts?prompt=dash");
    await("the list")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> browser.findElement(By.id("rollout-rows")).getText().contains("PAUSED"));
    assertThat(browser.findElement(By.id("rollout-rows")).getText()).contains(id, "2 / 2", "50%");
    screenshot("list-1280");
  }

  private boolean present(String id) {
    return !browser.findElements(By.id(id)).isEmpty();
  }

  private String state() {
    return browser.findElement(By.id("dashboard")).getAttribute("data-state");
  }

  private int points(String chart) {
    return Integer.parseInt(browser.findElement(By.id(chart)).getAttribute("data-points"));
  }

  private List<String> actions() {
    return attributes("form.controls button[data-action]", "data-action");
  }

  /**
   * One attribute of every element a selector matches, read in one script: the page redraws its
   * lists on every poll, so elements found first and read one by one can be gone by the read (a
   * StaleElementReferenceException, seen in CI under load).
   */
  @SuppressWarnings("unchecked")
  private List<String> attributes(String selector, String attribute) {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return Array.from(document.querySelectorAll(arguments[0]))"
                    + ".map(e => e.getAttribute(arguments[1]));",
                selector,
                attribute);
  }

  private void click(String action) {
    WebElement button =
        browser.findElement(By.cssSelector("form.controls button[data-action='" + action + "']"));
    button.click();
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private void screenshot(String name) throws Exception {
    Files.createDirectories(SCREENSHOTS);
    // The whole page, not only the window (Chromium's own screenshot command, through
    // chromedriver).
    Map<String, Object> shot =
        ((ChromeDriver) browser)
            .executeCdpCommand(
                "Page.captureScreenshot",
                Map.of("captureBeyondViewport", true, "fromSurface", true));
    Files.write(
        SCREENSHOTS.resolve(name + ".png"),
        Base64.getDecoder().decode(String.valueOf(shot.get("data"))));
  }

  /**
   * Sessions until stopped (at most 240 s): each resolves once and makes 1-6 requests on its
   * version, with a session effect shared by its judge scores; the candidate is as good.
   */
  private void sessions(String prompt) {
    Random random = new Random(14);
    long deadline = System.currentTimeMillis() + 240_000;
    for (int round = 0; trafficOn.get() && System.currentTimeMillis() < deadline; round++) {
      StringJoiner observations = RolloutDriver.batch("observations");
      StringJoiner judgements = RolloutDriver.batch("judgements");
      for (int i = 0; i < 40; i++) {
        String unit = prompt + "-r" + round + "-s" + i;
        int version =
            http.get("/v1/prompts/" + prompt + "/resolve?unit=" + unit)
                .body()
                .path("version")
                .asInt();
        double effect = random.nextGaussian() * 0.05;
        int requests = 1 + random.nextInt(6);
        for (int r = 0; r < requests; r++) {
          String requestId = unit + "-q" + r;
          observations.add(
              """
              {"requestId":"%s","prompt":"%s","version":%d,"unit":"%s","latencyMs":%.1f,"inputTokens":300,
               "outputTokens":90,"cost":0.0004,"error":false,"safetyFlag":false,"observedAt":"%s"}"""
                  .formatted(
                      requestId,
                      prompt,
                      version,
                      unit,
                      400 + random.nextDouble() * 100,
                      Instant.now()));
          judgements.add(
              """
              {"requestId":"%s","prompt":"%s","version":%d,"judge":"sim-judge","score":%.4f}"""
                  .formatted(
                      requestId,
                      prompt,
                      version,
                      Math.max(0, Math.min(1, 0.8 + effect + random.nextGaussian() * 0.03))));
        }
      }
      http.post("/v1/observations", observations.toString());
      http.post("/v1/judgements", judgements.toString());
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
