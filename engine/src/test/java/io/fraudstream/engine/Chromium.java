package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium for the console's browser tests. Without it a test is skipped, saying
 * what to install, unless {@code FRAUDSTREAM_BROWSER_REQUIRED} is set (as CI sets it): then it fails.
 */
final class Chromium {

  private static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {}

  static void assumeInstalled() {
    boolean required = Boolean.parseBoolean(System.getenv("FRAUDSTREAM_BROWSER_REQUIRED"));
    boolean present = Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
    if (!present && required) {
      fail("FRAUDSTREAM_BROWSER_REQUIRED is set but " + BINARY + " or " + DRIVER + " is missing: apt-get install chromium chromium-driver");
    }
    Assumptions.assumeTrue(present, "no Chromium here: 'apt-get install chromium chromium-driver' to run the console's browser test");
  }

  /** A headless browser whose profile lives in {@code profile}, which the caller removes. */
  static WebDriver start(Path profile) {
    ChromeOptions options = new ChromeOptions().setBinary(BINARY.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
        "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /** The page as it is, under {@code engine/target}, for the docs. */
  static void screenshot(WebDriver browser, String name) throws IOException {
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.write(target, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }
}
