package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.api.HeadlessChromium;
import dev.promptcanary.workflows.rollout.LocalLookMarker;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The Temporal UI check (issue 13), run by {@link DemoCommandIT} on the Temporal CLI's dev server
 * while {@code demo --keep-running} plays its story: headless Chromium opens Temporal UI, finds the
 * demo's first rollout by its {@code PromptName} search attribute in the workflows list, opens it,
 * and its event history shows the verdict activity ({@code AnalyseCanary}, the look at the stage's
 * data). Screenshots of both pages go to {@code target/screenshots/}. Needs Debian's chromium and
 * chromedriver ({@link HeadlessChromium}).
 */
final class TemporalUiCheck {
  /** The look's activity type, as an activity and as a local activity. */
  private static final String LOOK = RolloutActivities.ANALYSE;

  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final Pattern UI = Pattern.compile("Temporal UI (http://localhost:\\d+)");

  private TemporalUiCheck() {}

  /** Why the check cannot run here, or null when it can. */
  static String unavailable() {
    if (!TestTemporal.cli()) {
      return "Temporal UI exists only on the CLI's dev server (-Dpromptcanary.temporal=cli)";
    }
    return HeadlessChromium.missing();
  }

  /** The Temporal UI address the demo printed with "stack up in", or null before that. */
  static String uiUrl(String printed) {
    for (String line : printed.split("\n")) {
      if (line.contains("stack up in")) {
        Matcher m = UI.matcher(line);
        return m.find() ? m.group(1) : null;
      }
    }
    return null;
  }

  /**
   * Waits for the rollout to look at its data at least once (a completed AnalyseCanary), then finds
   * it in Temporal UI by prompt name and checks its history page.
   */
  static void check(String uiUrl, int temporalPort, String prompt, String rollout)
      throws Exception {
    WorkflowServiceStubs temporal = TestTemporal.stubsAt(temporalPort);
    try {
      await("the demo's rollout " + rollout + " to look at its data")
          .atMost(Duration.ofMinutes(8))
          .pollInterval(Duration.ofSeconds(2))
          .ignoreExceptions()
          .until(() -> completedLooks(temporal, rollout) > 0);
    } finally {
      temporal.shutdownNow();
    }
    Files.createDirectories(SCREENSHOTS);
    WebDriver browser = HeadlessChromium.start(1600, 1000);
    try {
      String query = URLEncoder.encode("PromptName=\"" + prompt + "\"", StandardCharsets.UTF_8);
      browser.get(uiUrl + "/namespaces/default/workflows?query=" + query);
      WebElement link =
          await("Temporal UI's workflows list to show " + rollout + " for PromptName=" + prompt)
              .atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofSeconds(1))
              .ignoreExceptions()
              .until(() -> rolloutLink(browser, rollout), l -> l != null);
      screenshot(browser, "temporal-ui-workflows-by-prompt-name.png");
      // The link's own address (the run's page), opened rather than clicked: a click on a row
      // the list is still re-rendering can land on nothing.
      String runPage = link.getAttribute("href");
      browser.get(runPage);
      try {
        await("the rollout's history in Temporal UI to show its looks (" + LOOK + ")")
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .ignoreExceptions()
            .until(() -> browser.getPageSource().contains(LOOK));
      } finally {
        screenshot(browser, "temporal-ui-rollout-history.png");
      }
      assertThat(browser.getCurrentUrl()).contains("/workflows/" + rollout + "/");
      assertThat(browser.findElement(By.tagName("body")).getText())
          .as("the run's page names the rollout")
          .contains(rollout);
    } finally {
      browser.quit();
    }
  }

  /**
   * The looks completed in the rollout's latest run: AnalyseCanary activities, and local activities
   * (markers) with a result, as the workflow runs its looks first.
   */
  private static long completedLooks(WorkflowServiceStubs stubs, String rollout) {
    WorkflowClient client = WorkflowClient.newInstance(stubs);
    DataConverter converter = client.getOptions().getDataConverter();
    List<HistoryEvent> events = client.fetchHistory(rollout).getEvents();
    Set<Long> looks = new HashSet<>();
    long completed = 0;
    for (HistoryEvent e : events) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
          && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(LOOK)) {
        looks.add(e.getEventId());
      }
      if (e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED
          && LocalLookMarker.isCompletedLook(e.getMarkerRecordedEventAttributes(), converter)) {
        completed++;
      }
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
          && looks.contains(e.getActivityTaskCompletedEventAttributes().getScheduledEventId())) {
        completed++;
      }
    }
    return completed;
  }

  /** The link to the rollout's workflow in the list, once the list shows it. */
  private static WebElement rolloutLink(WebDriver browser, String rollout) {
    for (WebElement a : browser.findElements(By.tagName("a"))) {
      String href = a.getAttribute("href");
      if (href != null && href.contains("/workflows/" + rollout + "/")) {
        return a;
      }
    }
    return null;
  }

  private static void screenshot(WebDriver browser, String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
