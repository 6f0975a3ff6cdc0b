package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.streams.EntityRiskJoin;
import io.fraudstream.features.streams.EntityRiskProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The payment path of one task: entity risk as published reaching it, its staleness counted, and a user's own block at once. */
class PaymentPathTest {

  private static final Instant T0 = Instant.parse("2026-11-30T09:00:00Z");
  // The test driver runs partition 0 of each sub-topology only: with one partition it is also
  // the task that publishes every entity's progress.
  private static final int PARTITIONS = 1;
  private final Topics topics = Topics.defaults();
  private final IdentifierHasher hasher = new IdentifierHasher(TestModels.SECRET);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> input;
  private TestOutputTopic<String, Decision> decisions;
  private EngineMetrics metrics;
  private DecisionPolicy policy;

  private void start(Duration grace) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "payment-path-test");
    policy = new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24));
    metrics = EngineMetrics.inMemory();
    DeadLetterHandler.install(props, topics, metrics);
    driver = new TopologyTestDriver(FraudTopology.build(topics, policy, metrics, TestModels.PSEUDONYMISER, PARTITIONS, grace,
        InputWindow.defaults(), ChallengePolicy.defaults()), props, T0);
    input = driver.createInputTopic(topics.transactions(), new StringSerializer(), new ByteArraySerializer());
    decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(), Topics.DECISION_SERDE.deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void send(Transaction tx) {
    input.pipeInput(tx.user(), TransactionJson.write(tx), tx.timestamp());
    driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
  }

  private static Transaction payment(String id, String user, Instant at, double amount, String merchant, String device) {
    return Transaction.of(id, at, user, amount).toBuilder().currency("EUR").merchant(merchant).device(device).build();
  }

  private double stale(EntityKind kind) {
    return metrics.registry().counter("fraudstream.entity.stale.decisions", "kind", kind.name().toLowerCase(Locale.ROOT)).count();
  }

  @Test
  void shouldDecideOnEntityRiskAsPublishedByTheEntitySubTopology() {
    start(Duration.ZERO);
    send(payment("a1", "ann", T0, 20, "m1", "tablet"));
    send(payment("b1", "ben", T0.plusSeconds(30), 30, "m1", "tablet"));

    // The entity sub-topology published both entities after each payment, keyed by kind and entity only.
    KeyValueStore<String, byte[]> published = driver.getKeyValueStore(FraudTopology.ENTITY_RISK_STORE);
    String device = EntityKind.DEVICE.riskKey(hasher.token("tablet"));
    assertNotNull(published.get(device));
    assertNotNull(published.get("merchant|m1"));
    assertNull(published.get("device|tablet"), "never keyed by the raw device id");

    Decision second = OutputRecords.oncePerKey(decisions).get("b1");
    assertEquals(2.0, second.features().get(Feature.MERCHANT_TX_COUNT_1D.featureName()), "ann's payment, published, and ben's own");
    assertEquals(2.0, second.features().get(Feature.DEVICE_USERS_1D.featureName()));

    // A state put on the entity-risk topic by hand is what the next payment sees: the payment
    // path reads the published copy, not the entity sub-topology's store.
    TestInputTopic<String, byte[]> risk = driver.createInputTopic(topics.entityRisk(), new StringSerializer(), new ByteArraySerializer());
    risk.pipeInput("merchant|m1", EntityState.empty().toBytes());
    send(payment("c1", "cat", T0.plusSeconds(60), 40, "m1", "other"));
    Decision third = OutputRecords.oncePerKey(decisions).get("c1");
    assertEquals(1.0, third.features().get(Feature.MERCHANT_TX_COUNT_1D.featureName()), "the merchant as published, plus this payment");
    assertEquals(1.0, third.features().get(Feature.MERCHANT_USERS_1D.featureName()));
  }

  @Test
  void shouldCountDecisionsMadeOnEntityRiskOlderThanTheBound() {
    start(Duration.ZERO);
    send(payment("a1", "ann", T0, 20, "m1", "tablet"));
    // No progress has been published yet: nothing says the entity values are recent.
    assertEquals(1.0, stale(EntityKind.MERCHANT));
    assertEquals(1.0, stale(EntityKind.DEVICE));

    // The entity tasks publish their progress every 100 ms of wall-clock time.
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    KeyValueStore<String, byte[]> published = driver.getKeyValueStore(FraudTopology.ENTITY_RISK_STORE);
    int merchantPartition = EntityRiskJoin.partitionOf("merchant|m1", PARTITIONS);
    assertEquals(T0.toEpochMilli(), EntityRiskProcessor.readProgress(published.get(EntityRiskProcessor.progressKey(merchantPartition))));

    send(payment("a2", "ann", T0.plus(FraudTopology.ENTITY_STALENESS_BOUND), 20, "m1", "tablet"));
    assertEquals(1.0, stale(EntityKind.MERCHANT), "within the bound of the merchant's partition's progress");
    send(payment("a3", "ann", T0.plus(FraudTopology.ENTITY_STALENESS_BOUND.multipliedBy(3)), 20, "m1", "tablet"));
    assertEquals(2.0, stale(EntityKind.MERCHANT), "the partition's progress is older than the bound: counted");
    assertEquals(3, decisions.readValuesToList().size(), "stale or not, every payment is decided");
  }

  @Test
  void shouldRefuseAUsersNextPaymentAtOnceAfterTheBlockItsTaskPlaced() {
    // With a grace, one arrival releases several payments in one go: nothing has been read back
    // from the blocks topic in between, yet the user's second payment must meet the first's block.
    start(Duration.ofSeconds(10));
    policy.useRules(Rules.parse("rules", "when amount > 500 then block \"large payment\"", hasher));
    send(payment("big", "eve", T0, 900, "m1", "phone"));
    send(payment("small", "eve", T0.plusSeconds(1), 5, "m2", "phone"));
    send(payment("other", "zed", T0.plusSeconds(20), 5, "m3", "laptop"));
    Map<String, Decision> decided = OutputRecords.oncePerKey(decisions);
    assertEquals(Set.of("big", "small"), decided.keySet(), "released by the later arrival; the last waits for its grace");
    assertEquals(Tier.BLOCK, decided.get("big").tier());
    assertTrue(decided.get("big").placesBlock());
    Decision next = decided.get("small");
    assertEquals(Tier.BLOCK, next.tier(), "refused by the block its own task placed a moment before");
    assertNotNull(next.activeBlock());
    assertEquals("user:eve", next.activeBlock().entity());

    // Once the global table shows it, the task's own copy goes; the block holds through the table.
    KeyValueStore<String, Block> pending = driver.getKeyValueStore(FraudTopology.PENDING_USER_BLOCKS_STORE);
    assertNotNull(pending.get("user:eve"));
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    assertNull(pending.get("user:eve"));
    send(payment("later", "eve", T0.plusSeconds(40), 5, "m2", "phone"));
    for (int i = 0; i < 3; i++) {
      driver.advanceWallClockTime(Duration.ofSeconds(10));
    }
    Map<String, Decision> after = OutputRecords.oncePerKey(decisions);
    assertEquals(Set.of("other", "later"), after.keySet());
    assertEquals(Tier.BLOCK, after.get("later").tier());
    assertNull(after.get("other").activeBlock(), "other users are not touched");
  }

  @Test
  void shouldSendOnlySuspiciousOutcomesToTheLabelJoin() {
    start(Duration.ZERO);
    policy.useRules(Rules.parse("rules", "when amount > 500 then block \"large payment\"", hasher));
    for (int i = 0; i < 20; i++) {
      send(payment("p" + i, "u" + i, T0.plusSeconds(i), i == 7 ? 900 : 10, "m1", "d" + i));
    }
    TestOutputTopic<String, byte[]> outcomes = driver.createOutputTopic(FraudTopology.HandOff.of("fraudstream").outcomes(),
        new StringDeserializer(), new ByteArrayDeserializer());
    List<String> keys = outcomes.readKeyValuesToList().stream().map(kv -> kv.key).collect(Collectors.toList());
    List<String> suspicious = decisions.readValuesToList().stream().filter(d -> d.tier() != Tier.ALLOW).map(Decision::paymentId).toList();
    assertTrue(suspicious.contains("p7"));
    assertEquals(suspicious, keys);
  }

  @Test
  void shouldWriteTheReorderBuffersChangelogOnlyWhenAGraceHoldsPaymentsBack() {
    String changelog = "payment-path-test-" + FraudTopology.REORDER_BUFFER_STORE + "-changelog";
    start(Duration.ZERO);
    send(payment("a1", "ann", T0, 20, "m1", "tablet"));
    send(payment("a2", "ann", T0.plusSeconds(5), 20, "m1", "tablet"));
    assertEquals(2, decisions.readValuesToList().size());
    assertFalse(driver.producedTopicNames().contains(changelog), "without a grace the payment path's commits leave the buffer alone");
    driver.close();

    start(Duration.ofSeconds(10));
    send(payment("b1", "ben", T0, 20, "m1", "tablet"));
    assertTrue(driver.producedTopicNames().contains(changelog), "a payment held back is kept, and so is the watermark");
  }
}
