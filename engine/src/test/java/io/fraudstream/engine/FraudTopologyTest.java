package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.DeadLetterHeaders;
import io.fraudstream.features.Feature;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.models.data.HandbookReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.UserState;
import org.apache.kafka.streams.state.KeyValueStore;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FraudTopologyTest {

  private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
  private final Topics topics = Topics.defaults();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> input;
  private TestOutputTopic<String, Decision> decisions;
  private TestOutputTopic<String, Alert> alerts;
  private TestOutputTopic<String, Block> blocks;
  private TestOutputTopic<String, byte[]> deadLetters;

  @BeforeEach
  void start() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "fraudstream-test");
    DecisionPolicy policy = new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24));
    driver = new TopologyTestDriver(FraudTopology.build(topics, policy, TestModels.SECRET, 4), props);
    input = driver.createInputTopic(topics.transactions(), new StringSerializer(), new ByteArraySerializer());
    decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(), Topics.DECISION_SERDE.deserializer());
    alerts = driver.createOutputTopic(topics.alerts(), new StringDeserializer(), Topics.ALERT_SERDE.deserializer());
    blocks = driver.createOutputTopic(topics.blocks(), new StringDeserializer(), Topics.BLOCK_SERDE.deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters(), new StringDeserializer(), Topics.DEAD_LETTER_SERDE.deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void send(Transaction tx) {
    input.pipeInput(tx.user(), TransactionJson.write(tx));
  }

  @Test
  void shouldWriteExactlyOneDecisionPerValidTransaction() {
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(100, 10, 5));
    payments.forEach(this::send);
    Map<String, Decision> byId = decisions.readKeyValuesToMap();
    assertEquals(payments.size(), byId.size());
    assertTrue(decisions.isEmpty());
    for (Transaction tx : payments) {
      Decision decision = byId.get(tx.id());
      assertEquals(tx.user(), decision.user());
      assertEquals(tx.amount(), decision.amount());
      assertEquals(TestModels.bundle().version(), decision.modelVersion());
      assertTrue(decision.score() >= 0 && decision.score() <= 1);
    }
    assertTrue(deadLetters.isEmpty());
  }

  @Test
  void shouldChallengeOrBlockACardTestingBurstWithReadableReasons() {
    for (int day = 0; day < 14; day++) {
      send(payment("h" + day, T0.plus(Duration.ofDays(day)), 40 + day % 5, "m" + (day % 3), "phone-1"));
    }
    List<Decision> history = decisions.readValuesToList();
    assertEquals(List.of(), history.stream().filter(d -> d.tier() != Tier.ALLOW).toList(), "a steady habit should not be flagged");
    Instant burst = T0.plus(Duration.ofDays(14)).plus(Duration.ofHours(3));
    for (int i = 0; i < 15; i++) {
      send(payment("b" + i, burst.plusSeconds(i * 10L), 1.5, "shop-" + i, "emulator-77"));
    }
    List<Decision> burstDecisions = decisions.readValuesToList();
    assertEquals(15, burstDecisions.size());
    List<Decision> flagged = burstDecisions.stream().filter(d -> d.tier() != Tier.ALLOW).toList();
    assertTrue(flagged.size() >= 10, "only " + flagged.size() + " of the burst were flagged: " + burstDecisions);
    assertTrue(flagged.stream().anyMatch(d -> d.tier() == Tier.BLOCK), "no BLOCK in " + flagged);
    Decision last = burstDecisions.get(14);
    assertFalse(last.reasons().isEmpty());
    assertTrue(last.reasons().stream().anyMatch(r -> r.equals("15 payments in the last hour") || r.equals("a new device")
        || r.startsWith("a merchant")), last.reasons().toString());

    List<TestRecord<String, Alert>> alertRecords = alerts.readRecordsToList();
    assertEquals(flagged.size(), alertRecords.size());
    for (TestRecord<String, Alert> alert : alertRecords) {
      assertEquals("alice", alert.key());
      assertTrue(alert.value().message().startsWith("We stopped") || alert.value().message().startsWith("Please confirm"));
      String json = new String(Topics.ALERT_SERDE.serializer().serialize("alerts", alert.value()), StandardCharsets.UTF_8);
      assertFalse(json.contains("emulator-77") || json.contains("203.0.113.9"), json);
    }
    List<TestRecord<String, Block>> blockRecords = blocks.readRecordsToList();
    assertEquals(flagged.stream().filter(d -> d.tier() == Tier.BLOCK).count(), blockRecords.size());
    Block block = blockRecords.get(0).value();
    assertEquals("user:alice", blockRecords.get(0).key());
    assertEquals(Duration.ofHours(24), Duration.between(block.blockedAt(), block.expiresAt()));
    assertTrue(block.reason().startsWith("fraud score"));
  }

  @Test
  void shouldSendMalformedRecordsToTheDeadLetterTopicAndKeepScoring() {
    input.pipeInput("alice", "{\"id\":\"x1\",\"user\":\"alice\"".getBytes(StandardCharsets.UTF_8));
    input.pipeInput("alice", "{\"id\":\"x2\",\"timestamp\":1,\"user\":\"alice\",\"amount\":-5}".getBytes(StandardCharsets.UTF_8));
    send(payment("ok-1", T0, 12, "m1", "phone-1"));
    Transaction wrongKey = payment("x3", T0.plusSeconds(5), 12, "m1", "phone-1");
    input.pipeInput("bob", TransactionJson.write(wrongKey));
    send(payment("ok-2", T0.plusSeconds(10), 12, "m1", "phone-1"));

    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(3, dead.size());
    assertEquals("{\"id\":\"x1\",\"user\":\"alice\"", new String(dead.get(0).value(), StandardCharsets.UTF_8));
    assertTrue(header(dead.get(0), DeadLetterHeaders.REASON).startsWith("not valid JSON"));
    assertEquals(topics.transactions(), header(dead.get(0), DeadLetterHeaders.TOPIC));
    assertEquals("0", header(dead.get(0), DeadLetterHeaders.OFFSET));
    assertEquals("1", header(dead.get(1), DeadLetterHeaders.OFFSET));
    assertTrue(header(dead.get(1), DeadLetterHeaders.REASON).contains("amount must be a finite number"));
    assertTrue(header(dead.get(2), DeadLetterHeaders.REASON).contains("is not the transaction's user"));
    assertEquals(List.of("ok-1", "ok-2"), decisions.readRecordsToList().stream().map(TestRecord::key).toList());
  }

  /** Sends payments in order, each fraud followed at once by its label, as the offline replay applies them. */
  private Map<String, Decision> sendWithLabels(List<Transaction> payments) {
    TestInputTopic<String, byte[]> labels = driver.createInputTopic(topics.labels(), new StringSerializer(), new ByteArraySerializer());
    for (Transaction tx : payments) {
      send(tx);
      if (Boolean.TRUE.equals(tx.label())) {
        labels.pipeInput(tx.id(), new PaymentLabel(tx.id(), true, tx.merchant(), tx.timestamp()).toJson(), tx.timestamp());
      }
    }
    return decisions.readKeyValuesToMap();
  }

  private static void assertSameFeatures(List<Transaction> payments, Map<String, Decision> online) {
    List<FeatureRow> offline = OfflineReplay.replay(payments, TestModels.SECRET);
    assertEquals(payments.size(), offline.size());
    assertEquals(payments.size(), online.size());
    Map<String, FeatureVector> mismatches = new HashMap<>();
    for (FeatureRow row : offline) {
      FeatureVector live = FeatureVector.fromMap(online.get(row.transaction().id()).features());
      if (!live.equals(row.features())) {
        mismatches.put(row.transaction().id(), live);
      }
    }
    assertEquals(Map.of(), mismatches);
    assertNotEquals(0, offline.stream().filter(r -> r.features().get(Feature.TX_COUNT_1H) > 1).count());
    assertNotEquals(0, offline.stream().filter(r -> r.features().get(Feature.MERCHANT_USERS_7D) > 1).count());
  }

  @Test
  void shouldComputeTheSameFeaturesAsTheOfflineReplay() {
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(400, 30, 99)).subList(0, 10_000);
    Map<String, Decision> first = sendWithLabels(payments);
    assertSameFeatures(payments, first);
    assertEquals(OfflineReplay.replay(payments, TestModels.SECRET), OfflineReplay.replay(payments, TestModels.SECRET),
        "replaying twice gives the same rows");

    // A second engine with fresh state, fed the same payments, decides on the same vectors.
    driver.close();
    start();
    Map<String, Decision> second = sendWithLabels(payments);
    for (Transaction tx : payments) {
      assertEquals(first.get(tx.id()).features(), second.get(tx.id()).features(), tx.id());
      assertEquals(first.get(tx.id()).score(), second.get(tx.id()).score(), tx.id());
    }
  }

  @Test
  void shouldComputeTheSameFeaturesAsTheOfflineReplayOnHandbookDataWithLabels() throws Exception {
    Path file = Path.of(System.getProperty("fraudstream.datasets", "../shared/datasets"), "handbook", "transactions.csv.gz");
    Assumptions.assumeTrue(Files.isRegularFile(file), "handbook dataset not found at " + file + " (see shared/datasets/README.md)");
    // Every fourth payment of the first 200,000 (about 20 days), so that fraud labels pass the 7-day delay.
    List<Transaction> all = HandbookReader.read(file, 200_000);
    List<Transaction> payments = java.util.stream.IntStream.range(0, all.size()).filter(i -> i % 4 == 0).mapToObj(all::get).toList();
    assertEquals(50_000, payments.size());
    assertSameFeatures(payments, sendWithLabels(payments));
    List<FeatureRow> offline = OfflineReplay.replay(payments, TestModels.SECRET);
    assertNotEquals(0, offline.stream().filter(r -> r.features().get(Feature.MERCHANT_FRAUDS_30D) > 0).count(),
        "labels must reach the entity features");
  }

  @Test
  void shouldSendUnreadableLabelsToTheDeadLetterTopic() {
    TestInputTopic<String, byte[]> labels = driver.createInputTopic(topics.labels(), new StringSerializer(), new ByteArraySerializer());
    labels.pipeInput("p1", "{\"fraud\":\"yes\"}".getBytes(StandardCharsets.UTF_8));
    labels.pipeInput((String) null, "{\"fraud\":true,\"timestamp\":1}".getBytes(StandardCharsets.UTF_8));
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(2, dead.size());
    assertEquals("label needs a boolean 'fraud'", header(dead.get(0), DeadLetterHeaders.REASON));
    assertTrue(header(dead.get(1), DeadLetterHeaders.REASON).startsWith("label without a payment id"));
    assertEquals(topics.labels(), header(dead.get(0), DeadLetterHeaders.TOPIC));
  }

  @Test
  void shouldForgetAUserOnAnErasureRequest() {
    TestInputTopic<String, byte[]> erasures = driver.createInputTopic(topics.erasures(), new StringSerializer(), new ByteArraySerializer());
    send(payment("e1", T0, 10, "m1", "phone-1"));
    send(payment("e2", T0.plusSeconds(60), 10, "m1", "phone-1"));
    KeyValueStore<String, UserState> store = driver.getKeyValueStore(FraudTopology.USER_STATE_STORE);
    assertEquals(2, store.get("alice").payments());

    erasures.pipeInput("alice", "{}".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(90));
    assertNull(store.get("alice"));
    erasures.pipeInput((String) null, "{}".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(95));
    TestRecord<String, byte[]> badErasure = deadLetters.readRecord();
    assertTrue(header(badErasure, DeadLetterHeaders.REASON).startsWith("erasure request without a user"));
    assertEquals(topics.erasures(), header(badErasure, DeadLetterHeaders.TOPIC));

    send(payment("e3", T0.plusSeconds(120), 10, "m1", "phone-1"));
    Decision fresh = decisions.readValuesToList().get(2);
    assertEquals(1.0, fresh.features().get(Feature.FIRST_PAYMENT.featureName()));
    assertEquals(1.0, fresh.features().get(Feature.NEW_DEVICE.featureName()));
  }

  @Test
  void shouldDropTheStateOfUsersIdleBeyondTheRetention() {
    send(payment("old", T0, 10, "m1", "phone-1"));
    Transaction bob = Transaction.of("b1", T0.plus(UserState.RETENTION).plus(Duration.ofDays(1)), "bob", 5);
    send(bob);
    send(Transaction.of("b2", bob.timestamp().plus(Duration.ofHours(7)), "bob", 5));
    KeyValueStore<String, UserState> store = driver.getKeyValueStore(FraudTopology.USER_STATE_STORE);
    assertNull(store.get("alice"), "alice has been idle for longer than the retention");
    assertEquals(2, store.get("bob").payments());
  }

  private static String header(TestRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static Transaction payment(String id, Instant at, double amount, String merchant, String device) {
    return Transaction.of(id, at, "alice", amount).toBuilder().currency("EUR").merchant(merchant).device(device)
        .ip("203.0.113.9").build();
  }
}
