package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.engine.console.Console;
import io.fraudstream.engine.console.ConsoleView;
import io.fraudstream.engine.console.Operators;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.data.SyntheticGenerator;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
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
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The analyst console against the engine on the in-process broker: its endpoints over real HTTP,
 * refused actions, and the whole review in Debian's headless Chromium.
 */
@Tag("broker")
@ExtendWith(SharedBroker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleIntegrationTest {

  private static final String TOKEN = "console-test-token-0123";
  private static final String AUDIT = "console-it-audit";
  private static final String CASES = "console-it-cases";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TemporaryDirectory stateDir;
  private EngineConfig config;
  private FraudEngine engine;
  private Console console;
  private String base;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Transaction> sent = new HashMap<>();
  private List<Decision> blocking;

  @BeforeAll
  void startEngineAndConsole() throws Exception {
    stateDir = TemporaryDirectory.create("console-it-state-");
    EngineConfig defaults = EngineConfig.defaults(SharedBroker.bootstrapServers(), stateDir.path(),
        new String(TestModels.SECRET, StandardCharsets.UTF_8));
    config = defaults.withApplication("console-it", SharedBroker.topics("console-it-"), stateDir.path());
    engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60));
    console = Console.start(config.clientProperties(), new Console.Settings("127.0.0.1", 0, config.topics(), AUDIT, CASES, 5_000, 1_000,
        Duration.ZERO), Operators.parse("alice:" + TOKEN), List.of(TestModels.bundle()), List.of());
    base = console.address();
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(200, 5, 3));
    send(payments);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(config.topics().transactions(), "u00001", "{broken".getBytes(StandardCharsets.UTF_8)));
    }
    try (DecisionReader reader = new DecisionReader(config.bootstrapServers(), config.topics().decisions())) {
      reader.awaitAll(payments.stream().map(Transaction::id).toList(), Duration.ofSeconds(90), Duration.ZERO);
    }
    ConsoleView view = console.view();
    await(() -> latestBlocks(view).size() >= 2, "two blocks placed and read back by the console");
    blocking = latestBlocks(view);
  }

  /** Decisions whose block is the one in force on their user: a later block of the same user would start later. */
  private static List<Decision> latestBlocks(ConsoleView view) {
    Instant now = view.streamTime(Instant.now());
    return view.queue(ConsoleView.Filter.none(), 5_000).stream().map(ConsoleView.Flagged::decision).filter(Decision::placesBlock)
        .filter(d -> {
          Block block = view.blockOn("user:" + d.user(), now);
          return block != null && d.paymentId().equals(block.paymentId());
        })
        .sorted(Comparator.comparing(Decision::timestamp)).toList();
  }

  @AfterAll
  void stop() {
    console.close();
    engine.close();
    stateDir.close();
  }

  @Test
  void queueHoldsFlaggedDecisionsNewestFirstAndFilters() throws Exception {
    JsonNode queue = getJson("api/queue?limit=500");
    JsonNode items = queue.get("items");
    assertTrue(items.size() > 0, "the queue is empty");
    long previous = Long.MAX_VALUE;
    for (JsonNode item : items) {
      assertTrue(List.of("CHALLENGE", "BLOCK").contains(item.get("tier").asText()), "an ALLOW in the queue: " + item);
      assertTrue(item.get("sequence").asLong() < previous, "not newest first");
      previous = item.get("sequence").asLong();
    }
    long held = queue.get("held").asLong();
    JsonNode day = queue.get("lastDay");
    assertEquals(held, day.get("CHALLENGE").asLong() + day.get("BLOCK").asLong(), "every decision held was made within the day");

    getJson("api/queue?tier=BLOCK&limit=500").get("items").forEach(item -> assertEquals("BLOCK", item.get("tier").asText()));
    Decision one = blocking.get(0);
    JsonNode byUser = getJson("api/queue?q=" + one.user()).get("items");
    assertTrue(byUser.size() > 0);
    byUser.forEach(item -> assertEquals(one.user(), item.get("user").asText()));
    assertEquals(1, getJson("api/queue?q=" + one.paymentId()).get("items").size());
    assertEquals(0, getJson("api/queue?after=" + queue.get("last").asLong()).get("items").size(), "nothing is newer than the newest");
    assertEquals(0, getJson("api/queue?model=no-such-model").get("items").size());

    assertEquals(400, get("api/queue?tier=ALLOW").statusCode());
    assertEquals(400, get("api/queue?from=yesterday").statusCode());
    assertEquals(400, get("api/queue?after=-x").statusCode());
    assertEquals(404, get("no/such/page").statusCode());
  }

  @Test
  void healthCountsEveryDecisionByMinuteWithTheDeadLetterAndTheModel() throws Exception {
    await(() -> {
      try {
        return getJson("api/health").get("deadLettersRead").asLong() >= 1;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "the dead letter counted");
    JsonNode health = getJson("api/health");
    long decisions = 0;
    for (String tier : List.of("ALLOW", "CHALLENGE", "BLOCK")) {
      for (JsonNode minute : health.get(tier)) {
        decisions += minute.asLong();
      }
    }
    assertTrue(decisions >= sent.size() - 4, "decisions charted " + decisions + " of at least " + (sent.size() - 4));
    long deadLetters = 0;
    for (JsonNode minute : health.get("deadLetters")) {
      deadLetters += minute.asLong();
    }
    assertEquals(1, deadLetters, "the one malformed payment, in the minute it was sent");
    assertTrue(health.get("models").findValuesAsText("version").contains(TestModels.bundle().version()), health.get("models").toString());
    boolean latency = false;
    for (JsonNode p99 : health.get("p99Micros")) {
      latency |= !p99.isNull() && p99.asDouble() > 0;
    }
    assertTrue(latency, "no minute has a latency");
    assertEquals(120, health.get("minutes").size());
  }

  @Test
  void paymentPageShowsReasonsUsualValuesItsBlockAndMatches() throws Exception {
    Decision blocked = blocking.get(0);
    JsonNode page = getJson("api/payment?id=" + encode(blocked.paymentId()));
    assertEquals(blocked.reasons().size(), page.get("decision").get("reasons").size());
    assertEquals("MATCHES", page.get("rederived").get("status").asText(), page.get("rederived").toString());
    assertEquals("BLOCK", page.get("rederived").get("tier").asText());
    assertEquals("user:" + blocked.user(), page.get("placedBlock").get("entity").asText());
    long pushed = 0;
    for (JsonNode feature : page.get("features")) {
      pushed += feature.get("pushed").asBoolean() ? 1 : 0;
    }
    assertTrue(pushed > 0 && pushed <= blocked.reasons().size(), "features that pushed the score: " + pushed);
    assertFalse(page.get("decision").get("device").asText().isEmpty());
    assertTrue(page.get("decision").get("device").asText().startsWith("hmac:"), "a raw device on the page");

    assertEquals(404, get("api/payment?id=no-such-payment").statusCode());
    assertEquals(400, get("api/payment").statusCode());
  }

  @Test
  void actionsAreRefusedWithoutTheCredentialFromAnotherSiteAndOnBadInput() throws Exception {
    Decision target = blocking.get(0);
    String form = "paymentId=" + encode(target.paymentId()) + "&fraud=true";
    int labelsBefore = readAll(config.topics().labels()).size();

    assertEquals(401, post("api/label", form, Map.of()).statusCode(), "no credential");
    assertEquals(401, post("api/label", form, Map.of("Authorization", "Bearer wrong-token-000000")).statusCode());
    assertEquals(401, post("login", "token=wrong-token-000000", Map.of()).statusCode());

    Session session = login();
    assertEquals(403, post("api/label", form, Map.of("Cookie", session.cookie())).statusCode(), "a cookie alone, as a forged form sends");
    assertEquals(403, post("api/label", form, Map.of("Cookie", session.cookie(), "X-CSRF-Token", "guessed")).statusCode());
    assertEquals(403, post("api/label", form, Map.of("Cookie", session.cookie(), "X-CSRF-Token", session.csrf(),
        "Origin", "http://evil.example")).statusCode(), "another site's script");

    Map<String, String> bearer = Map.of("Authorization", "Bearer " + TOKEN);
    assertEquals(400, post("api/label", "paymentId=" + encode(target.paymentId()) + "&fraud=maybe", bearer).statusCode());
    assertEquals(400, post("api/label", "fraud=true", bearer).statusCode());
    assertEquals(400, post("api/label", "paymentId=%zz&fraud=true", bearer).statusCode());
    assertEquals(404, post("api/label", "paymentId=no-such-payment&fraud=true", bearer).statusCode());
    assertEquals(413, post("api/label", "paymentId=" + "x".repeat(5_000) + "&fraud=true", bearer).statusCode());
    assertEquals(400, post("api/unblock", "entity=nobody", bearer).statusCode());
    assertEquals(404, post("api/unblock", "entity=user:no-such-user", bearer).statusCode());
    assertEquals(405, get("api/label").statusCode());
    HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create(base + "api/label")).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(415, json.statusCode());

    assertEquals(labelsBefore, readAll(config.topics().labels()).size(), "a refused action wrote a label");
  }

  @Test
  void anOperatorsLabelAndUnblockReachTheTopicsAndTheAudit() throws Exception {
    Decision challenged = console.view().queue(new ConsoleView.Filter(Tier.CHALLENGE, null, null, null, null, null, 0), 1).get(0).decision();
    Session session = login();
    Map<String, String> headers = Map.of("Cookie", session.cookie(), "X-CSRF-Token", session.csrf(), "Origin", base.substring(0, base.length() - 1));
    HttpResponse<String> labelled = post("api/label", "paymentId=" + encode(challenged.paymentId()) + "&fraud=false", headers);
    assertEquals(200, labelled.statusCode(), labelled.body());
    JsonNode label = JSON.readTree(lastValue(config.topics().labels(), challenged.paymentId()));
    assertFalse(label.get("fraud").asBoolean());
    assertEquals(challenged.timestamp().toString(), label.get("timestamp").asText());

    Decision blocked = blocking.get(1);
    String entity = "user:" + blocked.user();
    HttpResponse<String> lifted = post("api/unblock", "entity=" + encode(entity), Map.of("Authorization", "Bearer " + TOKEN));
    assertEquals(200, lifted.statusCode(), lifted.body());
    assertTrue(readAll(config.topics().blocks()).stream().anyMatch(r -> r.key().equals(entity) && r.value() == null), "no tombstone");

    List<JsonNode> audit = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : readAll(AUDIT)) {
      audit.add(JSON.readTree(record.value()));
    }
    assertTrue(audit.stream().anyMatch(a -> a.get("operator").asText().equals("alice") && a.get("action").asText().equals("label-legitimate")
        && a.get("target").asText().equals(challenged.paymentId()) && !a.get("at").asText().isEmpty()), audit.toString());
    assertTrue(audit.stream().anyMatch(a -> a.get("action").asText().equals("unblock") && a.get("target").asText().equals(entity)));
    assertTrue(audit.stream().noneMatch(a -> a.toString().contains(TOKEN)), "a token in the audit");
  }

  /** The model's drift over the decisions read, and its calibration on the labels read, against its training data. */
  @Test
  void theDriftPanelComparesTheDecisionsReadWithTheModelsTrainingData() throws Exception {
    JsonNode model = getJson("api/drift").get("models").get(0);
    assertEquals(TestModels.bundle().version(), model.get("version").asText());
    assertTrue(model.get("payments").asLong() > 0, model.toString());
    assertEquals(TestModels.bundle().reference().score().bins(), model.get("scoreHistogram").size());
    double training = 0;
    for (JsonNode bin : model.get("scoreHistogram")) {
      training += bin.get("training").asDouble();
    }
    assertEquals(1.0, training, 1e-9, "the held-out scores' shares add up");
    assertEquals(10, model.get("calibration").size());
    Decision labelled = blocking.get(blocking.size() - 1);
    long before = labelledInCalibration();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(config.topics().labels(), labelled.paymentId(),
          new PaymentLabel(labelled.paymentId(), true, labelled.merchant(), labelled.device(), labelled.timestamp()).toJson())).get();
    }
    await(() -> {
      try {
        return labelledInCalibration() > before;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "the label counted in the decile of its payment's score");
  }

  private long labelledInCalibration() throws Exception {
    long labelled = 0;
    for (JsonNode decile : getJson("api/drift").get("models").get(0).get("calibration")) {
      labelled += decile.get("labelled").asLong();
    }
    return labelled;
  }

  /**
   * The review as an analyst does it, in Chromium: the planted fraud's alert in the queue, its
   * page with reasons and MATCHES, marked fraud (a label, and the engine's live precision moves),
   * and its user's block lifted, after which the user's next payment is not refused.
   */
  @Test
  void anAnalystReviewsAnAlertInARealBrowser() throws Exception {
    Chromium.assumeInstalled();

    Decision blocked = blocking.get(0);
    Transaction original = sent.get(blocked.paymentId());
    assertNotNull(sendNext(original, Duration.ofMinutes(1), "-refused").activeBlock(),
        "a payment of the blocked user made while the block holds is refused by it");

    // Chromium's profile goes with the test, also when the browser fails to start.
    try (TemporaryDirectory profile = TemporaryDirectory.create("console-it-chromium-")) {
      WebDriver browser = Chromium.start(profile.path());
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(base + "#payments");
        By row = By.cssSelector("#queue tr[data-payment='" + blocked.paymentId() + "']");
        browser.findElement(By.id("f-q")).sendKeys(blocked.user());
        browser.findElement(By.cssSelector("#filters button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "BLOCK"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("health-summary"), TestModels.bundle().version()));
        assertEquals(4, browser.findElements(By.cssSelector("#health .uplot canvas")).size(), "four charts drawn");
        wait.until(driver -> driver.findElements(By.cssSelector("#drift table")).size() >= 2);
        assertTrue(browser.findElement(By.id("drift")).getText().contains("model " + TestModels.bundle().version()));
        Chromium.screenshot(browser, "console-queue.png");

        // The queue redraws itself while it refreshes, so the row is found again at the click.
        wait.ignoring(StaleElementReferenceException.class).until(driver -> {
          driver.findElement(row).click();
          return true;
        });
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("p-rederived"), "MATCHES"));
        List<String> reasons = browser.findElements(By.cssSelector("#p-reasons li")).stream().map(WebElement::getText).toList();
        assertEquals(blocked.reasons(), reasons);
        assertTrue(browser.findElement(By.id("p-facts")).getText().contains(blocked.modelVersion()));
        Chromium.screenshot(browser, "console-payment.png");

        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.cssSelector("#signin button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("operator"), "signed in as alice"));
        double precisionBefore = livePrecision(Tier.BLOCK);
        browser.findElement(By.id("mark-fraud")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("p-action-status"), "\"label\":\"fraud\""));
        assertTrue(JSON.readTree(lastValue(config.topics().labels(), blocked.paymentId())).get("fraud").asBoolean());
        await(() -> livePrecision(Tier.BLOCK) == 1.0, "the engine's live BLOCK precision to count the label (was " + precisionBefore + ")");
        await(() -> {
          try {
            JsonNode charted = getJson("api/health").get("precisionBlock");
            return charted.get(charted.size() - 1).asDouble() == 1.0 || charted.get(charted.size() - 2).asDouble() == 1.0;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, "the console's chart of live BLOCK precision to reach 1.0");

        browser.findElement(By.id("lift-block")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("p-action-status"), "lifted"));
      } finally {
        browser.quit();
      }
    }
    await(() -> console.view().blockOn("user:" + blocked.user(), blocked.timestamp().plusSeconds(120)) == null, "the tombstone read back");
    // The console's view has it; the engine's own table of blocks must too before the next payment.
    ServingIntegrationTest.awaitBlock(engine, "user:" + blocked.user(), false);
    assertNull(sendNext(original, Duration.ofMinutes(2), "-after-lift").activeBlock(), "the user's next payment still met the block");
  }

  private double livePrecision(Tier tier) {
    return engine.registry().find("fraudstream.live.precision").tag("tier", tier.name()).gauge().value();
  }

  /** Sends a copy of {@code original} {@code after} it, under a new id, and waits for its decision. */
  private Decision sendNext(Transaction original, Duration after, String suffix) throws Exception {
    Transaction next = new Transaction.Builder(original.id() + suffix, original.timestamp().plus(after), original.user(), original.amount())
        .currency(original.currency()).merchant(original.merchant()).device(original.device()).ip(original.ip())
        .country(original.country()).location(original.lat(), original.lon()).build();
    try (DecisionReader reader = new DecisionReader(config.bootstrapServers(), config.topics().decisions())) {
      send(List.of(next));
      reader.awaitAll(List.of(next.id()), Duration.ofSeconds(30), Duration.ZERO);
      return reader.seen().get(next.id()).first();
    }
  }

  private void send(List<Transaction> payments) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
      for (Transaction tx : payments) {
        sent.put(tx.id(), tx);
        producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), TransactionJson.write(tx)));
      }
    }
  }

  private record Session(String cookie, String csrf) {}

  private Session login() throws Exception {
    HttpResponse<String> response = post("login", "token=" + TOKEN, Map.of());
    assertEquals(200, response.statusCode(), response.body());
    String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
    return new Session(cookie.substring(0, cookie.indexOf(';')), JSON.readTree(response.body()).get("csrf").asText());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> response = get(path);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> post(String path, String form, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private byte[] lastValue(String topic, String key) {
    byte[] found = null;
    for (ConsumerRecord<String, byte[]> record : readAll(topic)) {
      found = key.equals(record.key()) ? record.value() : found;
    }
    assertNotNull(found, "no record for " + key + " on " + topic);
    return found;
  }

  /** Every record of a topic, from the beginning to its current end. */
  private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    return TopicContents.readAll(config.clientProperties(), topic);
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("waited 60 s for " + what);
      }
      Thread.sleep(100);
    }
  }
}
