package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.simulator.FleetSimulator;
import io.fleetpulse.simulator.SimulatorSettings;
import io.fleetpulse.testkit.SharedCassandra;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operators' dashboard in a real headless Chromium (Debian's chromium and chromium-driver,
 * which {@code .ci/run} installs): a node with a simulated fleet, a bearing fault injected on one
 * device, the alert appearing in the live list (the time from the faulty reading to the row in the
 * browser is printed and written to {@code target/dashboard/alert-latency.txt}), acknowledged and
 * cleared with a note through the page, and the stored alert checked through the API. Screenshots
 * of the overview, the alert list and the device page go to {@code target/dashboard/}.
 */
class DashboardBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path ARTEFACTS = Path.of("target/dashboard");
  private static final String DEVICE = "rm-fault-1";
  private static final String OPERATOR = "Ada Operator";

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void an_operator_sees_an_injected_fault_live_acknowledges_and_clears_it() throws Exception {
    boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!browser && System.getenv("CI") == null) {
      Assumptions.abort("Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; .ci/run does)");
    }
    assertThat(browser).as("chromium and chromedriver under /usr/bin").isTrue();
    Files.createDirectories(ARTEFACTS);

    int brokerPort = NodeTestSupport.freePort();
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;
    // A profile whose rule raises on a single reading, for the alert burst.
    Config config = ConfigFactory.parseString("""
            fleetpulse.profiles.burst-sensor {
              description = "a sensor whose every high reading alerts", network-slice = mmtc
              inactivity-timeout = 300s, ring-buffer-size = 4, models = [], offline-alert = none
              metrics = [{ name = level, unit = "1", min = 0, max = 100 }]
              alert-rules = [{ type = level-high, metric = level, above { minor = 50 }, clear-below = 40 }]
            }
            fleetpulse.gateway.registration.auto-provision = [
              { device-id-pattern = "rm-.*", profile = rotating-machine }
              { device-id-pattern = "env-.*", profile = environment-sensor }
              { device-id-pattern = "burst-.*", profile = burst-sensor }
            ]
            """)
        .withFallback(NodeTestSupport.nodeConfigStoringIn(CASSANDRA, CASSANDRA.emptyKeyspace(), "dashboard",
            brokerPort, directory.resolve("broker")));
    try (RunningNode node = FleetPulseNode.start(config);
        TestPublisher publisher = new TestPublisher(brokerUrl, NodeTestSupport.edgeGateway(node.httpUrl(), "gw-dashboard"), "fault-injector", 10)) {
      // A simulated fleet in the background: 60 devices, 30 messages a second, for two minutes.
      Thread fleet = new Thread(() -> {
        try {
          FleetSimulator.run(SimulatorSettings.defaults()
              .withBrokerUrl(brokerUrl).withDevices(60).withRate(30).withDuration(Duration.ofSeconds(120))
              .withSeed(7L).withProgressInterval(Duration.ZERO).withDrain(Duration.ZERO));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "simulated-fleet");
      fleet.setDaemon(true);
      fleet.start();
      publishBearing(publisher, 1, 3, 60); // the device is known and normal
      WebDriver driver = chrome();
      try {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(50));
        driver.get(node.httpUrl() + "/");
        wait.until(ExpectedConditions.textToBe(By.id("stream-state"), "alerts: live"));
        driver.findElement(By.id("operator")).sendKeys(OPERATOR);
        driver.findElement(By.id("operator")).sendKeys("\t");

        // The fault: ten seconds of 120 Cel (event time) meets the rule's minimum duration.
        publishBearing(publisher, 4, 13, 120);
        long faultyReadingSent = System.nanoTime();
        publishBearing(publisher, 14, 14, 120);
        By row = By.cssSelector(".alert-row[data-device-id='" + DEVICE + "']");
        WebElement alertRow;
        try {
          alertRow = wait.until(ExpectedConditions.presenceOfElementLocated(row));
        } catch (org.openqa.selenium.TimeoutException e) {
          screenshot(driver, "failure.png");
          throw new AssertionError("no alert row; page: " + driver.findElement(By.tagName("header")).getText() + " / "
              + driver.findElement(By.id("alert-count")).getText() + "; device alerts: "
              + NodeTestSupport.getText(node.httpUrl() + "/api/devices/" + DEVICE + "/alerts") + "; device: "
              + NodeTestSupport.getText(node.httpUrl() + "/api/devices/" + DEVICE) + "; summary: "
              + NodeTestSupport.getText(node.httpUrl() + "/api/fleet/summary"), e);
        }
        double latencyMillis = (System.nanoTime() - faultyReadingSent) / 1e6;
        System.out.printf("alert latency, faulty reading published to the row in the browser: %.0f ms%n", latencyMillis);
        Files.writeString(ARTEFACTS.resolve("alert-latency.txt"), String.format(java.util.Locale.ROOT,
            "%.0f ms from publishing the faulty reading to its alert row in headless Chromium (%s)%n",
            latencyMillis, Instant.now()));
        assertThat(alertRow.getText()).contains("bearing-overheat").contains("critical").contains("ACTIVE_UNACK");
        wait.until(ExpectedConditions.textMatches(By.id("alerts-open"), java.util.regex.Pattern.compile("[1-9]\\d*")));
        screenshot(driver, "overview-and-alerts.png");

        // Acknowledge it with a note; it leaves the unacknowledged view.
        alertRow.findElement(By.cssSelector("button.ack")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("action-dialog")));
        driver.findElement(By.id("action-note")).sendKeys("bearing checked, replacement ordered");
        driver.findElement(By.id("action-confirm")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(row));

        new Select(driver.findElement(By.id("filter-status"))).selectByVisibleText("ACTIVE_ACK");
        alertRow = wait.until(ExpectedConditions.presenceOfElementLocated(row));
        assertThat(alertRow.getText()).contains("ACTIVE_ACK");
        screenshot(driver, "alert-acknowledged.png");

        // Clear it: cleared and acknowledged, it leaves the open lists.
        alertRow.findElement(By.cssSelector("button.clear")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("action-dialog")));
        driver.findElement(By.id("action-note")).sendKeys("bearing replaced");
        driver.findElement(By.id("action-confirm")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(row));

        // What is stored: the history through the data-team API.
        String history = node.httpUrl() + "/api/data/devices/" + DEVICE + "/alerts?from="
            + Instant.now().minusSeconds(3600) + "&to=" + Instant.now().plusSeconds(3600);
        JsonNode stored = NodeTestSupport.awaitJson(history, body -> body.path("items").size() == 1
            && body.path("items").get(0).path("status").asText().equals("CLEARED_ACK"), Duration.ofSeconds(30))
            .path("items").get(0);
        assertThat(stored.path("status").asText()).isEqualTo("CLEARED_ACK");
        assertThat(stored.path("acknowledgedBy").asText()).isEqualTo(OPERATOR);
        assertThat(stored.path("clearedBy").asText()).isEqualTo(OPERATOR);
        assertThat(stored.path("note").asText()).isEqualTo("bearing replaced");
        assertThat(stored.path("severity").asText()).isEqualTo("CRITICAL");

        // The device page: telemetry charts and the alert in its history.
        driver.get(node.httpUrl() + "/#/devices/" + DEVICE);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-alert-history"), "CLEARED_ACK"));
        assertThat(driver.findElements(By.cssSelector("#telemetry-charts .chart polyline"))).hasSize(5);
        assertThat(driver.findElement(By.id("device-alert-history")).getText()).contains(OPERATOR).contains("bearing replaced");
        screenshot(driver, "device-page.png");

        // A burst: 2,000 devices already known to the node raise an alert each at once. The list
        // shows them all while the page keeps only the visible rows in the DOM.
        int burst = 2_000;
        try (TestPublisher burstPublisher = new TestPublisher(brokerUrl, NodeTestSupport.edgeGateway(node.httpUrl(), "gw-dashboard"), "burst", 200)) {
          for (int i = 0; i < burst; i++) {
            burstPublisher.publish(String.format(java.util.Locale.ROOT, "burst-%04d", i), 1,
                System.currentTimeMillis(), Map.of("level", 10.0));
          }
          assertThat(burstPublisher.awaitAcknowledged(200)).isEqualTo(burst);
        }
        NodeTestSupport.awaitJson(node.httpUrl() + "/api/fleet/summary",
            body -> body.path("devices").asInt() >= burst, Duration.ofSeconds(120));
        driver.get(node.httpUrl() + "/");
        wait.until(ExpectedConditions.textToBe(By.id("stream-state"), "alerts: live"));
        long burstStart = System.nanoTime();
        try (TestPublisher burstPublisher = new TestPublisher(brokerUrl, NodeTestSupport.edgeGateway(node.httpUrl(), "gw-dashboard"), "burst-2", 200)) {
          for (int i = 0; i < burst; i++) {
            burstPublisher.publish(String.format(java.util.Locale.ROOT, "burst-%04d", i), 2,
                System.currentTimeMillis(), Map.of("level", 75.0));
          }
          assertThat(burstPublisher.awaitAcknowledged(200)).isEqualTo(burst);
        }
        System.out.printf("alert burst: the broker acknowledged all %d readings after %.1f s%n", burst,
            (System.nanoTime() - burstStart) / 1e9);
        NodeTestSupport.awaitJson(node.httpUrl() + "/api/sites/" + TestPublisher.SITE + "/alerts/summary",
            body -> body.path("open").asInt() >= burst, Duration.ofSeconds(120));
        System.out.printf("alert burst: all %d stored (site summary) after %.1f s%n", burst, (System.nanoTime() - burstStart) / 1e9);
        new WebDriverWait(driver, Duration.ofSeconds(120), Duration.ofMillis(100)).until(
            ExpectedConditions.textMatches(By.id("alert-count"), java.util.regex.Pattern.compile("(\\d+) shown")));
        new WebDriverWait(driver, Duration.ofSeconds(120), Duration.ofMillis(100)).until(d ->
            Integer.parseInt(d.findElement(By.id("alert-count")).getText().split(" ")[0]) >= burst);
        double burstSeconds = (System.nanoTime() - burstStart) / 1e9;
        System.out.printf("alert burst: %d alerts published to all listed in the browser in %.1f s%n", burst, burstSeconds);
        System.out.println("alert burst, node counters: " + NodeTestSupport.getText(node.httpUrl() + "/metrics").lines()
            .filter(line -> line.startsWith("fleetpulse_alerts") || line.startsWith("fleetpulse_records")).toList());
        Files.writeString(ARTEFACTS.resolve("alert-latency.txt"), String.format(java.util.Locale.ROOT,
            "%d alerts from 2,000 known devices at once: all listed in the browser %.1f s after the first reading was published%n",
            burst, burstSeconds), java.nio.file.StandardOpenOption.APPEND);
        assertThat(driver.findElements(By.cssSelector(".alert-row"))).as("rows in the DOM (virtualised)").hasSizeLessThan(60);
        int shown = Integer.parseInt(driver.findElement(By.id("alert-count")).getText().split(" ")[0]);
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
            "const l = document.getElementById('alert-list'); l.scrollTop = l.scrollHeight;");
        wait.until(d -> ((Number) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
            "return Math.max(...[...document.querySelectorAll('.alert-row')].map(r => parseInt(r.style.top)));"))
            .intValue() == (shown - 1) * 30);
        screenshot(driver, "alert-burst.png");
      } finally {
        driver.quit();
      }
      fleet.interrupt();
    }
  }

  private static WebDriver chrome() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1440,1100", "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private static void screenshot(WebDriver driver, String name) throws Exception {
    Files.write(ARTEFACTS.resolve(name), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  /** Readings {@code from..to}, one second apart in event time (ending now), bearing at {@code temperature}. */
  private static void publishBearing(TestPublisher publisher, long from, long to, double temperature) throws Exception {
    long base = System.currentTimeMillis() - 60_000;
    for (long sequence = from; sequence <= to; sequence++) {
      publisher.publish(DEVICE, sequence, base + sequence * 1000, TestPublisher.bearingAt(temperature));
    }
    assertThat(publisher.awaitAcknowledged(10)).isPositive();
  }
}
