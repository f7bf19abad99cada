package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.promptcanary.api.TestApps;
import dev.promptcanary.testkit.JarProcess;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The Temporal UI check (issue 13): {@code demo --keep-running} on the Temporal CLI's dev server,
 * then headless Chromium opens Temporal UI, finds the demo's first rollout by its {@code
 * PromptName} search attribute in the workflows list, opens it, and its event history shows the
 * verdict activity ({@code AnalyseCanary}, the look at the stage's data). Screenshots of both pages
 * go to {@code target/screenshots/}. Runs only on the dev server ({@code
 * -Dpromptcanary.temporal=cli}, CI's second pass) with Debian's chromium and chromedriver ({@code
 * scripts/install-chromium}); skips saying why otherwise.
 */
class TemporalUiIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String PROMPT = "support-demo";
  private static final String ROLLOUT = "rollout-support-demo-2";
  private static final Pattern UI = Pattern.compile("Temporal UI (http://localhost:\\d+)");

  @TempDir Path work;

  @Test
  void temporalUiFindsTheRolloutByPromptNameAndShowsItsLooks() throws Exception {
    assumeTrue(
        TestTemporal.cli(),
        "Temporal UI exists only on the CLI's dev server: run with -Dpromptcanary.temporal=cli");
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "no " + CHROMIUM + " and " + CHROMEDRIVER + ": run scripts/install-chromium");
    int temporalPort = TestApps.freePort();
    Path output = work.resolve("demo.out");
    JarProcess demo =
        ChildJvm.builder(null)
            .name("demo")
            .log(output)
            .args(
                Stream.concat(
                        Stream.of(
                            "demo",
                            "--keep-running",
                            "--port",
                            String.valueOf(TestApps.freePort()),
                            "--admin-port",
                            String.valueOf(TestApps.freePort()),
                            "--temporal-port",
                            String.valueOf(temporalPort),
                            "--seed",
                            "7"),
                        TestTemporal.args().stream())
                    .toList())
            .start();
    WorkflowServiceStubs temporal = null;
    try {
      String uiUrl =
          await("demo's stack up, with the Temporal UI address")
              .atMost(Duration.ofMinutes(5))
              .pollInterval(Duration.ofSeconds(1))
              .until(() -> uiUrl(Files.readString(output)), url -> url != null);
      temporal =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget("127.0.0.1:" + temporalPort)
                  .build());
      WorkflowServiceStubs stubs = temporal;
      // The rollout of v2 has looked at its canary data at least once (a completed AnalyseCanary).
      await("the demo's rollout " + ROLLOUT + " to look at its data")
          .atMost(Duration.ofMinutes(8))
          .pollInterval(Duration.ofSeconds(2))
          .ignoreExceptions()
          .until(() -> completedLooks(stubs) > 0);

      Files.createDirectories(SCREENSHOTS);
      WebDriver browser = chromium();
      try {
        String query = URLEncoder.encode("PromptName=\"" + PROMPT + "\"", StandardCharsets.UTF_8);
        browser.get(uiUrl + "/namespaces/default/workflows?query=" + query);
        WebElement link =
            await("Temporal UI's workflows list to show " + ROLLOUT + " for PromptName=" + PROMPT)
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .until(() -> rolloutLink(browser), l -> l != null);
        screenshot(browser, "temporal-ui-workflows-by-prompt-name.png");
        // The link's own address (the run's page), opened rather than clicked: a click on a row
        // the list is still re-rendering can land on nothing.
        String runPage = link.getAttribute("href");
        browser.get(runPage);
        try {
          await("the rollout's history in Temporal UI to show its looks (AnalyseCanary)")
              .atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofSeconds(1))
              .ignoreExceptions()
              .until(() -> browser.getPageSource().contains("AnalyseCanary"));
        } finally {
          screenshot(browser, "temporal-ui-rollout-history.png");
        }
        assertThat(browser.getCurrentUrl()).contains("/workflows/" + ROLLOUT + "/");
        assertThat(browser.findElement(By.tagName("body")).getText())
            .as("the run's page names the rollout")
            .contains(ROLLOUT);
      } finally {
        browser.quit();
      }
    } catch (Throwable t) {
      throw new AssertionError(t.getMessage() + "\n----- demo -----\n" + demo.logTail(80), t);
    } finally {
      if (temporal != null) {
        temporal.shutdownNow();
      }
      demo.stop();
    }
  }

  private static String uiUrl(String printed) {
    for (String line : printed.split("\n")) {
      if (line.contains("stack up in")) {
        Matcher m = UI.matcher(line);
        return m.find() ? m.group(1) : null;
      }
    }
    return null;
  }

  /** The AnalyseCanary activities completed in the rollout's latest run. */
  private static long completedLooks(WorkflowServiceStubs stubs) {
    List<HistoryEvent> events =
        stubs
            .blockingStub()
            .getWorkflowExecutionHistory(
                GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace("default")
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(ROLLOUT))
                    .setMaximumPageSize(1000)
                    .build())
            .getHistory()
            .getEventsList();
    java.util.Set<Long> looks = new java.util.HashSet<>();
    long completed = 0;
    for (HistoryEvent e : events) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
          && e.getActivityTaskScheduledEventAttributes()
              .getActivityType()
              .getName()
              .equals("AnalyseCanary")) {
        looks.add(e.getEventId());
      }
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
          && looks.contains(e.getActivityTaskCompletedEventAttributes().getScheduledEventId())) {
        completed++;
      }
    }
    return completed;
  }

  /** The link to the rollout's workflow in the list, once the list shows it. */
  private static WebElement rolloutLink(WebDriver browser) {
    for (WebElement a : browser.findElements(By.tagName("a"))) {
      String href = a.getAttribute("href");
      if (href != null && href.contains("/workflows/" + ROLLOUT + "/")) {
        return a;
      }
    }
    return null;
  }

  /**
   * Debian's chromium, headless, through its own chromedriver: the driver's path is given, so
   * Selenium Manager never looks for (or downloads) one.
   */
  private static WebDriver chromium() {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static void screenshot(WebDriver browser, String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
