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
 * which {@code .ci/run} installs): a node with accounts made through the API (an operator, a
 * viewer, an admin), signed in to through the page; a bearing fault injected on one device, the
 * alert appearing in the live list (the time from the faulty reading to the row in the browser is
 * printed and written to {@code target/dashboard/alert-latency.txt}), acknowledged and cleared with
 * a note through the page by the operator, and the stored alert and the audit log checked through
 * the API; a burst of 2,000 alerts; sign-out; a viewer who gets no acknowledge button and whose
 * forced acknowledge is refused, and who sees the grouped list without its bulk buttons; the
 * admin's audit view; the operator again, who sees the burst as one group of 2,000, acknowledges it
 * with one click, and the stored history shows an acknowledgement by the operator on each alert. Screenshots of the sign-in page, the
 * overview, the alert list, the device page and the audit view go to {@code target/dashboard/}.
 *
 * <p>The simulated fleet in the background provisions its edge gateways through the node's API
 * with the test JVM's admin token (FLEETPULSE_API_TOKEN, set by the build).
 */
class DashboardBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path ARTEFACTS = Path.of("target/dashboard");
  private static final String DEVICE = "rm-fault-1";
  private static final String OPERATOR = "ada.operator";
  private static final String VIEWER = "vic.viewer";
  private static final String ADMIN = "audra.admin";
  private static final String PASSWORD = "correct-horse-battery-17";

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  @Test
  void a_signed_in_operator_acknowledges_and_clears_a_fault_live_and_a_viewer_may_not() throws Exception {
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
              .withBrokerUrl(brokerUrl).withApiUrl(node.httpUrl()).withDevices(60).withRate(30).withDuration(Duration.ofSeconds(120))
              .withSeed(7L).withProgressInterval(Duration.ZERO).withDrain(Duration.ZERO));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "simulated-fleet");
      fleet.setDaemon(true);
      fleet.start();
      publishBearing(publisher, 1, 3, 60); // the device is known and normal
      createAccount(node, OPERATOR, "operator", "*");
      createAccount(node, VIEWER, "viewer", "*");
      createAccount(node, ADMIN, "admin", "*");
      WebDriver driver = chrome();
      try {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(50));
        driver.get(node.httpUrl() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        assertThat(driver.findElement(By.id("fleet-page")).isDisplayed()).isFalse();
        screenshot(driver, "sign-in.png");
        signIn(driver, OPERATOR, "not-the-password-at-all");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signin-error"), "wrong name or password"));
        signIn(driver, OPERATOR, PASSWORD);
        wait.until(ExpectedConditions.textToBe(By.id("identity-name"), OPERATOR));
        wait.until(ExpectedConditions.textToBe(By.id("stream-state"), "alerts: live"));
        assertThat(driver.findElement(By.id("identity-roles")).getText()).contains("operator");
        assertThat(driver.findElement(By.id("nav-audit")).isDisplayed()).as("audit link for a non-admin").isFalse();

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
        String alertId = stored.path("alertId").asText();
        assertThat(alertId).isNotEmpty();

        // The audit log has the operator's sign-in and both actions, by the operator's name.
        JsonNode audit = NodeTestSupport.awaitJson(node.httpUrl() + "/api/audit?limit=1000",
            body -> auditEntry(body, "alert.clear", OPERATOR) != null, Duration.ofSeconds(10));
        assertThat(auditEntry(audit, "session.open", OPERATOR)).as("session.open by " + OPERATOR).isNotNull();
        assertThat(auditEntry(audit, "alert.acknowledge", OPERATOR).path("target").asText()).contains(alertId)
            .startsWith("POST /api/devices/" + DEVICE + "/alerts/");
        assertThat(auditEntry(audit, "alert.acknowledge", OPERATOR).path("kind").asText()).isEqualTo("session");
        assertThat(auditEntry(audit, "alert.clear", OPERATOR).path("target").asText()).contains(alertId).endsWith("/clear");

        // The device page: telemetry charts; the history needs the data role, which an operator lacks.
        driver.get(node.httpUrl() + "/#/devices/" + DEVICE);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-alert-history"), "needs the data role"));
        wait.until(d -> d.findElements(By.cssSelector("#telemetry-charts .chart polyline")).size() == 5);
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

        // Sign out: the sign-in page again, and the browser's session is gone at the node too.
        driver.findElement(By.id("signout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        assertThat(driver.findElement(By.id("fleet-page")).isDisplayed()).isFalse();
        assertThat(fetchFromPage(driver, "GET", "api/me", null)).startsWith("401 ").contains("auth.required");

        // A viewer sees the open alerts without acknowledge buttons, and the node refuses a forced one.
        signIn(driver, VIEWER, PASSWORD);
        wait.until(ExpectedConditions.textToBe(By.id("identity-name"), VIEWER));
        wait.until(ExpectedConditions.textToBe(By.id("stream-state"), "alerts: live"));
        WebElement open = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".alert-row")));
        assertThat(open.getText()).contains("ACTIVE_UNACK");
        assertThat(driver.findElements(By.cssSelector(".alert-row button"))).as("action buttons for a viewer").isEmpty();
        String forced = fetchFromPage(driver, "POST", "api/devices/" + open.getAttribute("data-device-id") + "/alerts/"
            + open.getAttribute("data-alert-id") + "/acknowledge", "{\"note\":\"forced\"}");
        assertThat(forced).startsWith("403 ").contains("\"access.denied\"");
        screenshot(driver, "viewer.png");
        new Select(driver.findElement(By.id("alert-grouping"))).selectByValue("groups");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".alert-group")));
        assertThat(driver.findElements(By.cssSelector(".alert-group button"))).as("group buttons for a viewer").isEmpty();
        assertThat(driver.findElement(By.id("selection-actions")).isDisplayed()).as("selection for a viewer").isFalse();

        // The admin's audit view: newest first, the operator's actions and the viewer's refusal in it.
        driver.findElement(By.id("signout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        signIn(driver, ADMIN, PASSWORD);
        wait.until(ExpectedConditions.textToBe(By.id("identity-name"), ADMIN));
        driver.findElement(By.id("nav-audit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector(".audit-row[data-action='alert.acknowledge'][data-who='" + VIEWER + "']")));
        String auditView = driver.findElement(By.id("audit-entries")).getText();
        assertThat(auditView).contains(OPERATOR).contains("alert.clear").contains("403 access.denied");
        assertThat(auditView.indexOf(VIEWER)).as("newest first").isLessThan(auditView.indexOf("alert.clear"));
        screenshot(driver, "audit.png");

        // The operator groups the list: the burst is one group of 2,000, acknowledged with one click.
        driver.findElement(By.id("signout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        signIn(driver, OPERATOR, PASSWORD);
        wait.until(ExpectedConditions.textToBe(By.id("identity-name"), OPERATOR));
        wait.until(ExpectedConditions.textToBe(By.id("stream-state"), "alerts: live"));
        new Select(driver.findElement(By.id("alert-grouping"))).selectByValue("groups");
        By burstGroup = By.cssSelector(".alert-group[data-site='" + TestPublisher.SITE + "'][data-type='level-high']");
        WebElement group = wait.until(ExpectedConditions.presenceOfElementLocated(burstGroup));
        assertThat(group.getAttribute("data-count")).isEqualTo(String.valueOf(burst));
        assertThat(group.getAttribute("data-severity")).isEqualTo("MINOR");
        assertThat(group.getAttribute("data-status")).isEqualTo("ACTIVE_UNACK");
        assertThat(group.findElement(By.cssSelector("td.count")).getText()).isEqualTo(String.valueOf(burst));
        assertThat(driver.findElements(By.cssSelector(".alert-group"))).as("groups, not rows").hasSizeLessThan(20);
        screenshot(driver, "alert-groups.png");
        long bulkStart = System.nanoTime();
        group.findElement(By.cssSelector("button.group-ack")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("action-dialog")));
        assertThat(driver.findElement(By.id("action-title")).getText()).contains(burst + " level-high");
        driver.findElement(By.id("action-note")).sendKeys("level sensors recalibrated");
        driver.findElement(By.id("action-confirm")).click();
        new WebDriverWait(driver, Duration.ofSeconds(180), Duration.ofMillis(100)).until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("bulk-result"), "acknowledge: " + burst + " done, 0 already, 0 failed"));
        System.out.printf("bulk acknowledge: %d alerts acknowledged with one click in %.1f s%n", burst,
            (System.nanoTime() - bulkStart) / 1e9);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(burstGroup));
        new Select(driver.findElement(By.id("filter-status"))).selectByVisibleText("ACTIVE_ACK");
        WebElement acknowledgedGroup = wait.until(ExpectedConditions.presenceOfElementLocated(burstGroup));
        assertThat(acknowledgedGroup.getAttribute("data-count")).isEqualTo(String.valueOf(burst));
        screenshot(driver, "alert-group-acknowledged.png");

        // The stored history: each of the 2,000 alerts acknowledged by the operator, with the note.
        String siteHistory = node.httpUrl() + "/api/data/sites/" + TestPublisher.SITE + "/alerts?format=jsonl&from="
            + Instant.now().minusSeconds(3600) + "&to=" + Instant.now().plusSeconds(3600);
        java.util.List<JsonNode> acknowledgements = new java.util.ArrayList<>();
        for (String line : NodeTestSupport.getText(siteHistory).split("\n")) {
          if (!line.isBlank()) {
            JsonNode item = NodeTestSupport.json(line);
            if (item.path("type").asText().equals("level-high")) {
              acknowledgements.add(item);
            }
          }
        }
        assertThat(acknowledgements).hasSize(burst);
        assertThat(acknowledgements).allSatisfy(item -> {
          assertThat(item.path("status").asText()).isEqualTo("ACTIVE_ACK");
          assertThat(item.path("acknowledgedBy").asText()).isEqualTo(OPERATOR);
          assertThat(item.path("note").asText()).isEqualTo("level sensors recalibrated");
        });
        assertThat(acknowledgements.stream().map(item -> item.path("deviceId").asText()).distinct()).hasSize(burst);
        JsonNode bulkAudit = NodeTestSupport.awaitJson(node.httpUrl() + "/api/audit?limit=1000",
            body -> auditEntry(body, "alert.bulk-acknowledge", OPERATOR) != null, Duration.ofSeconds(10));
        assertThat(auditEntry(bulkAudit, "alert.bulk-acknowledge", OPERATOR).path("target").asText())
            .isEqualTo("POST /api/sites/" + TestPublisher.SITE + "/alerts/acknowledge");
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

  /** Creates a console account through the API with the admin token. */
  private static void createAccount(RunningNode node, String name, String role, String site) {
    JsonNode created = NodeTestSupport.postJson(node.httpUrl() + "/api/accounts", "{\"name\":\"" + name
        + "\",\"roles\":[\"" + role + "\"],\"sites\":[\"" + site + "\"],\"password\":\"" + PASSWORD + "\"}");
    assertThat(created.path("_status").asInt()).as("account " + name + ": " + created).isEqualTo(201);
  }

  /** Fills and sends the page's sign-in form. */
  private static void signIn(WebDriver driver, String name, String password) {
    WebElement nameInput = driver.findElement(By.id("signin-name"));
    nameInput.clear();
    nameInput.sendKeys(name);
    WebElement passwordInput = driver.findElement(By.id("signin-password"));
    passwordInput.clear();
    passwordInput.sendKeys(password);
    driver.findElement(By.id("signin-submit")).click();
  }

  /**
   * A request from the page's JavaScript (its cookie, and for a change the CSRF token {@code
   * /api/me} answers): {@code "<status> <body>"}.
   */
  private static String fetchFromPage(WebDriver driver, String method, String path, String body) {
    return (String) ((org.openqa.selenium.JavascriptExecutor) driver).executeAsyncScript("""
        const [method, path, body, done] = arguments;
        (async () => {
          const headers = { 'Content-Type': 'application/json' };
          if (method !== 'GET') headers['X-CSRF-Token'] = (await (await fetch('api/me')).json()).csrfToken;
          const response = await fetch(path, { method, headers, body: body ?? undefined });
          return response.status + ' ' + await response.text();
        })().then(done, e => done('failed ' + e));
        """, method, path, body);
  }

  /** The newest audit entry of {@code action} by {@code who} with outcome ok, or null. */
  private static JsonNode auditEntry(JsonNode audit, String action, String who) {
    JsonNode found = null;
    for (JsonNode entry : audit.path("entries")) {
      if (entry.path("action").asText().equals(action) && entry.path("who").asText().equals(who)
          && entry.path("outcome").asText().equals("ok") && entry.path("status").asInt() < 300) {
        found = entry;
      }
    }
    return found;
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
