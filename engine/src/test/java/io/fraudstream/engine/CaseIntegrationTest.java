package io.fraudstream.engine;

import static io.fraudstream.engine.ConsoleIntegrationTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.engine.console.Console;
import io.fraudstream.engine.console.Operators;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Cases in the console against the engine on the in-process broker: a BLOCK opens a case, an
 * analyst works it in Chromium to a close whose labels reach the engine, a second console and a
 * restarted one show the same case, and a ring of users sharing a device shows from each of them.
 */
@Tag("broker")
@ExtendWith(SharedBroker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CaseIntegrationTest {

  private static final String TOKEN = "cases-test-token-0123";
  private static final String AUDIT = "cases-it-audit";
  private static final String CASES = "cases-it-cases";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> RING = List.of("ring-a", "ring-b", "ring-c");

  private TemporaryDirectory stateDir;
  private EngineConfig config;
  private FraudEngine engine;
  private Console console;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Transaction> sent = new ArrayList<>();

  @BeforeAll
  void startEngineAndConsole() throws Exception {
    stateDir = TemporaryDirectory.create("cases-it-state-");
    Path rules = stateDir.path().resolve("rules.txt");
    // Rules make the BLOCKs certain: a stolen phone three users pay from, and a hard limit.
    Files.writeString(rules, "block device shared-phone-1 reason \"reported stolen\"\nlimit amount 5000\n");
    EngineConfig defaults = EngineConfig.defaults(SharedBroker.bootstrapServers(), stateDir.path(),
        new String(TestModels.SECRET, StandardCharsets.UTF_8));
    config = defaults.withApplication("cases-it", SharedBroker.topics("cases-it-"), stateDir.path().resolve("state"))
        .withServing(new EngineConfig.Serving(null, null, rules, Duration.ofSeconds(5), "127.0.0.1", -1));
    engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60));
    console = start();
    Instant t0 = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    sent.add(payment("u1-big", "case-u1", 9_000, "phone-u1", t0));
    sent.add(payment("u1-next", "case-u1", 20, "phone-u1", t0.plusSeconds(60)));
    sent.add(payment("erase-me-1", "erase-me", 9_000, "phone-e", t0.plusSeconds(90)));
    for (int i = 0; i < RING.size(); i++) {
      sent.add(payment(RING.get(i) + "-1", RING.get(i), 30, "shared-phone-1", t0.plusSeconds(120 + i)));
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(), new ByteArraySerializer());
         DecisionReader reader = new DecisionReader(config.bootstrapServers(), config.topics().decisions())) {
      for (Transaction tx : sent) {
        producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), TransactionJson.write(tx)));
        producer.flush();
      }
      reader.awaitAll(sent.stream().map(Transaction::id).toList(), Duration.ofSeconds(60), Duration.ZERO);
      for (Transaction tx : sent) {
        assertEquals(Tier.BLOCK, reader.seen().get(tx.id()).first().tier(), tx.id() + " is blocked by the rules");
      }
    }
    await(() -> caseOrNull(console, "case-u1/u1-big") != null && caseOrNull(console, "case-u1/u1-big").get("payments").asInt() == 2,
        "the BLOCK's case, joined by the refused payment after it");
  }

  @AfterAll
  void stop() {
    console.close();
    engine.close();
    stateDir.close();
  }

  private Console start() {
    return Console.start(config.clientProperties(), new Console.Settings("127.0.0.1", 0, config.topics(), AUDIT, CASES, 5_000, 1_000,
        Duration.ZERO), Operators.parse("alice:" + TOKEN), List.of(TestModels.bundle()), List.of());
  }

  private static Transaction payment(String id, String user, double amount, String device, Instant at) {
    return new Transaction.Builder(id, at, user, amount).currency("EUR").merchant("m-" + user).device(device).country("NL").build();
  }

  @Test
  void anAnalystWorksACaseFromItsBlockToACloseInARealBrowser() throws Exception {
    Chromium.assumeInstalled();
    String caseId = "case-u1/u1-big";
    try (TemporaryDirectory profile = TemporaryDirectory.create("cases-it-chromium-")) {
      WebDriver browser = Chromium.start(profile.path());
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(console.address());
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.cssSelector("#signin button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("operator"), "signed in as alice"));
        By row = By.cssSelector("#cases tr[data-case='" + caseId + "']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "BLOCK"));
        Chromium.screenshot(browser, "console-cases.png");
        // The list redraws itself while it refreshes, so the row is found again at the click.
        wait.ignoring(StaleElementReferenceException.class).until(driver -> {
          driver.findElement(row).click();
          return true;
        });
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("c-title"), caseId));
        assertEquals(2, browser.findElements(By.cssSelector("#c-decisions tbody tr")).size(), "both payments of the case");
        assertTrue(browser.findElement(By.id("c-timeline")).getText().contains("blocked"), "the block is on the timeline");

        new Actions(browser).sendKeys("a").perform();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("c-title"), "investigating"));
        assertTrue(browser.findElement(By.id("c-facts")).getText().contains("alice"));
        browser.findElement(By.id("c-comment")).sendKeys("card holder confirms the phone was stolen; <b>not markup</b>");
        browser.findElement(By.cssSelector("#c-comment-form button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("c-comments"), "<b>not markup</b>"));
        new Actions(browser).sendKeys("f").perform();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("c-title"), "closed-fraud"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("c-decisions"), "fraud"));
        Chromium.screenshot(browser, "console-case.png");

        browser.get(console.address() + "#case=" + URLEncoder.encode("ring-b/ring-b-1", StandardCharsets.UTF_8));
        wait.until(driver -> driver.findElements(By.cssSelector("#c-ring circle")).size() == RING.size());
        assertTrue(browser.findElement(By.id("c-ring-summary")).getText().startsWith("3 users linked"));
        ((JavascriptExecutor) browser).executeScript("document.getElementById('c-ring-summary').scrollIntoView()");
        Chromium.screenshot(browser, "console-ring.png");
        new Actions(browser).sendKeys(Keys.ESCAPE).perform();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("cases")));
      } finally {
        browser.quit();
      }
    }
    await(() -> labelledFraud(Tier.BLOCK) >= 2, "the engine's live precision to count the case's two fraud labels");
    List<JsonNode> audit = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : TopicContents.readAll(config.clientProperties(), AUDIT)) {
      audit.add(JSON.readTree(record.value()));
    }
    Set<String> actions = new TreeSet<>();
    audit.stream().filter(a -> a.get("target").asText().equals(caseId) && a.get("operator").asText().equals("alice"))
        .forEach(a -> actions.add(a.get("action").asText()));
    assertEquals(Set.of("case-assign", "case-comment", "case-close-fraud"), actions);
    assertTrue(audit.stream().anyMatch(a -> a.get("action").asText().equals("label-fraud") && a.get("target").asText().equals("u1-next")));
  }

  @Test
  void consolesAgreeOnACaseAndARestartKeepsIt() throws Exception {
    String caseId = "ring-c/ring-c-1";
    try (Console second = start()) {
      await(() -> caseOrNull(second, caseId) != null, "the second console to derive the case");
      JsonNode assigned = post("api/case/assign", "id=" + encode(caseId) + "&version=0");
      assertEquals("investigating", assigned.get("status").asText());
      HttpResponse<String> stale = send("api/case/comment", "id=" + encode(caseId) + "&version=0&text=late");
      assertEquals(409, stale.statusCode(), "a change made on a version seen before another's is refused: " + stale.body());
      post("api/case/comment", "id=" + encode(caseId) + "&version=1&text=" + encode("=HYPERLINK(\"http://evil\")"));
      await(() -> {
        JsonNode seen = caseOrNull(second, caseId);
        return seen != null && seen.get("version").asInt() == 2 && "alice".equals(seen.get("assignee").asText());
      }, "the second console to show the first's changes");
    }
    try (Console restarted = start()) {
      await(() -> {
        JsonNode seen = caseOrNull(restarted, caseId);
        return seen != null && seen.get("version").asInt() == 2;
      }, "a console started afresh to read the case back");
      JsonNode detail = getJson(restarted, "api/case?id=" + encode(caseId));
      assertEquals("investigating", detail.get("status").asText());
      assertEquals("=HYPERLINK(\"http://evil\")", detail.get("comments").get(0).get("text").asText());
    }
    for (String user : RING) {
      JsonNode ring = getJson(console, "api/case?id=" + encode(user + "/" + user + "-1")).get("ring");
      Set<String> users = new TreeSet<>();
      ring.get("users").forEach(u -> users.add(u.get("user").asText()));
      assertEquals(new TreeSet<>(RING), users, "the ring from " + user);
      assertEquals("device", ring.get("tokens").get(0).get("kind").asText());
      assertTrue(ring.get("tokens").get(0).get("token").asText().startsWith("hmac:"), "tokens only, never the raw device");
    }
    String csv = get(console, "api/case/export?format=csv&id=" + encode(caseId)).body();
    assertTrue(csv.startsWith("kind,time,payment_id,user,tier,score,amount,text\n"), csv);
    assertTrue(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "a comment that would run as a formula is made text:\n" + csv);
    assertTrue(csv.contains("\"linked-user\",\"\",\"\",\"ring-a\""), csv);
    assertTrue(!csv.contains("shared-phone-1"), "no raw device in the export");
    JsonNode json = JSON.readTree(get(console, "api/case/export?format=json&id=" + encode(caseId)).body());
    assertEquals("ring-c-1", json.get("decisions").get(0).get("paymentId").asText());
  }

  @Test
  void hostileCaseRecordsAreCountedAndTheCasesStillServe() throws Exception {
    long before = getJson(console, "api/queue").get("unreadable").asLong();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(CASES, "x/y", "{not json".getBytes(StandardCharsets.UTF_8)));
      producer.send(new ProducerRecord<>(CASES, "case-u1/u1-big", ("{\"id\":\"other/p\",\"user\":\"other\",\"openedAt\":\"2026-12-01T00:00:00Z\","
          + "\"status\":\"closed-fraud\",\"version\":99,\"updatedAt\":\"2026-12-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8)));
      producer.send(new ProducerRecord<>(CASES, "z/z", new byte[70_000]));
    }
    await(() -> {
      try {
        return getJson(console, "api/queue").get("unreadable").asLong() >= before + 3;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "three hostile case records counted");
    assertEquals(200, get(console, "api/cases?status=all").statusCode());
    assertTrue(caseOrNull(console, "other/p") == null, "a record whose key is not its id made no case");
  }

  @Test
  void anErasureForgetsTheUsersCasesAndDeletesThemFromTheCasesTopic() throws Exception {
    String caseId = "erase-me/erase-me-1";
    await(() -> caseOrNull(console, caseId) != null, "the case to erase");
    post("api/case/assign", "id=" + encode(caseId) + "&version=0");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(config.topics().erasures(), "erase-me", "{}".getBytes(StandardCharsets.UTF_8))).get();
    }
    await(() -> caseOrNull(console, caseId) == null, "the console to forget the erased user's case");
    await(() -> {
      byte[] last = new byte[0];
      for (ConsumerRecord<String, byte[]> record : TopicContents.readAll(config.clientProperties(), CASES)) {
        last = caseId.equals(record.key()) ? record.value() : last;
      }
      return last == null;
    }, "a tombstone for the case on the cases topic");
    assertTrue(getJson(console, "api/queue?q=erase-me").get("items").isEmpty(), "no flagged decision of the erased user held");
  }

  private double labelledFraud(Tier tier) {
    return engine.registry().get("fraudstream.labelled.decisions").tag("tier", tier.name()).tag("label", "fraud").gauge().value();
  }

  private JsonNode caseOrNull(Console on, String id) {
    try {
      HttpResponse<String> response = get(on, "api/case?id=" + encode(id));
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> get(Console on, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(on.address() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(Console on, String path) throws Exception {
    HttpResponse<String> response = get(on, path);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> send(String path, String form) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(console.address() + path)).header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode post(String path, String form) throws Exception {
    HttpResponse<String> response = send(path, form);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
