package dev.promptcanary.api;

import java.io.File;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, through its own chromedriver ({@code scripts/install-chromium}), for
 * the browser tests: the dashboard's and devstack's Temporal UI check. Both paths are named
 * outright, so Selenium Manager never looks for (or downloads) either.
 */
public final class HeadlessChromium {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

  private HeadlessChromium() {}

  /** Why no browser can start here, or null when one can. */
  public static String missing() {
    return CHROMIUM.canExecute() && CHROMEDRIVER.canExecute()
        ? null
        : "no " + CHROMIUM + " and " + CHROMEDRIVER + ": run scripts/install-chromium";
  }

  /** A new browser with a window of {@code width} x {@code height}. */
  public static ChromeDriver start(int width, int height) {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.getPath());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build();
    return new ChromeDriver(service, options);
  }
}
