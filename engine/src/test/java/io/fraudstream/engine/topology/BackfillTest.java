package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.Alert;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.streams.DeadLetterHeaders;
import io.fraudstream.features.streams.EntityRiskProcessor;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** History on the backfill topic brings the state up to date, and decides, alerts, blocks and judges nothing. */
class BackfillTest {

  private final Topics topics = Topics.defaults();
  private DrivenEngine engine;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> payments;
  private TestInputTopic<String, byte[]> history;
  private TestInputTopic<String, byte[]> labels;
  private TestInputTopic<String, byte[]> results;
  private TestOutputTopic<String, Decision> decisions;
  private TestOutputTopic<String, Alert> alerts;
  private TestOutputTopic<String, Block> blocks;
  private TestOutputTopic<String, byte[]> deadLetters;
  private EngineMetrics metrics;

  @BeforeEach
  void start() {
    engine = new DrivenEngine("fraudstream-backfill-test", new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24)),
        ChallengePolicy.defaults());
    driver = engine.driver;
    metrics = engine.metrics;
    payments = engine.payments;
    history = engine.input(topics.backfill());
    labels = engine.input(topics.labels());
    results = engine.input(topics.challengeResults());
    decisions = engine.decisions;
    alerts = engine.alerts;
    blocks = engine.blocks;
    deadLetters = engine.deadLetters;
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  private void backfill(Transaction tx) {
    history.pipeInput(tx.user(), TransactionJson.write(tx), tx.timestamp());
    driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
  }

  /** A live payment, then its challenge's result and its label when it has them, as the offline replay applies them. */
  private void live(Transaction tx) {
    payments.pipeInput(tx.user(), TransactionJson.write(tx), tx.timestamp());
    if (tx.challenge() != null) {
      results.pipeInput(tx.user(), new ChallengeResult(tx.id(), tx.challenge(), "otp", tx.timestamp()).toJson(), tx.timestamp());
    }
    driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
    if (Boolean.TRUE.equals(tx.label())) {
      labels.pipeInput(tx.id(), new PaymentLabel(tx.id(), true, tx.merchant(), tx.device(), tx.timestamp()).toJson(), tx.timestamp());
    }
  }

  @Test
  void backfilledHistoryTwiceThenTheLiveFeedGiveTheOfflineReplaysVectorsAndNothingElse() {
    List<Transaction> all = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 16, 41).withChallenges(true));
    Instant cutOver = all.get(0).timestamp().plus(Duration.ofDays(14));
    List<Transaction> before = all.stream().filter(tx -> tx.timestamp().isBefore(cutOver)).toList();
    List<Transaction> after = all.stream().filter(tx -> !tx.timestamp().isBefore(cutOver)).toList();
    before.forEach(this::backfill);
    assertTrue(decisions.isEmpty(), "history is decided by no one");
    assertTrue(alerts.isEmpty() && blocks.isEmpty(), "history alerts and blocks no one");
    assertEquals(before.size(), metrics.registry().counter("fraudstream.backfill.payments", "result", "applied").count());
    // Run again, as after a backfill killed half-way: nothing counts twice, in the users' or the entities' states.
    before.forEach(this::backfill);
    assertEquals(before.size(), metrics.registry().counter("fraudstream.backfill.payments", "result", "applied").count());
    assertEquals(before.size(), metrics.registry().counter("fraudstream.backfill.payments", "result", "already-held").count());

    after.forEach(this::live);
    Map<String, Decision> online = OutputRecords.oncePerKey(decisions);
    assertEquals(after.size(), online.size(), "every live payment decided, once");
    // Entity features included (in this driver every payment's entity events are published before
    // the next payment): every live payment sees the user and entity states of the history once.
    Map<String, Map<String, Double>> mismatches = new TreeMap<>();
    List<FeatureRow> offline = OfflineReplay.replay(all, TestModels.SECRET);
    for (FeatureRow row : offline.subList(before.size(), all.size())) {
      FeatureVector seen = FeatureVector.fromMap(online.get(row.transaction().id()).features());
      for (Feature feature : Feature.all()) {
        if (Double.compare(seen.get(feature), row.features().get(feature)) != 0) {
          mismatches.computeIfAbsent(row.transaction().id(), id -> new TreeMap<>()).put(feature.featureName(), seen.get(feature));
        }
      }
    }
    assertEquals(Map.of(), mismatches);
    // The comparison means something: without the history the live payments would see other values.
    assertTrue(offline.subList(before.size(), all.size()).stream().anyMatch(row -> row.features().get(Feature.MERCHANT_FRAUDS_30D) > 0),
        "merchants' frauds of the history count live");
    assertTrue(offline.subList(before.size(), all.size()).stream().anyMatch(row -> row.features().get(Feature.DEVICE_VERIFIED) == 1),
        "challenges of the history count live");
    // Live precision counts the live payments' labels only.
    long liveFrauds = after.stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count();
    double judgedFrauds = 0;
    for (Tier tier : Tier.values()) {
      judgedFrauds += metrics.registry().get("fraudstream.labelled.decisions").tag("tier", tier.name()).tag("label", "fraud").gauge().value();
    }
    assertEquals(liveFrauds, judgedFrauds);
  }

  @Test
  void aPaymentSentTwiceOrBehindItsUsersStateCountsOnceAndALaterLabelOfItJudgesNothing() {
    List<Transaction> user = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(5, 3, 7)).stream()
        .filter(tx -> tx.user().equals("u00001")).toList();
    assertTrue(user.size() >= 3, "a user with a few payments");
    user.forEach(this::backfill);
    backfill(user.get(user.size() - 1));
    backfill(user.get(0));
    assertEquals(user.size(), metrics.registry().counter("fraudstream.backfill.payments", "result", "applied").count());
    assertEquals(2.0, metrics.registry().counter("fraudstream.backfill.payments", "result", "already-held").count());

    Transaction first = user.get(0);
    labels.pipeInput(first.id(), new PaymentLabel(first.id(), true, first.merchant(), first.device(), first.timestamp()).toJson(),
        first.timestamp());
    assertEquals(1.0, metrics.registry().counter("fraudstream.backfill.labels.not.judged").count());
    assertEquals(0.0, metrics.registry().get("fraudstream.labelled.decisions").tag("tier", "ALLOW").tag("label", "fraud").gauge().value());

    Transaction next = Transaction.of("next", user.get(user.size() - 1).timestamp().plusSeconds(60), "u00001", 12).toBuilder()
        .device(user.get(0).device()).build();
    live(next);
    Decision decided = decisions.readValue();
    assertEquals(user.size() + 1.0, decided.features().get(Feature.TX_COUNT_7D.featureName()), "the history once, and this payment");
  }

  @Test
  void aBadRecordOnTheBackfillTopicGoesToTheDeadLetterTopicWithItsReason() {
    history.pipeInput("u1", "{\"id\":\"h1\"".getBytes(StandardCharsets.UTF_8), Instant.parse("2024-01-01T00:00:00Z"));
    Transaction wrongKey = Transaction.of("h2", Instant.parse("2024-01-01T00:00:00Z"), "u2", 5);
    history.pipeInput("u1", TransactionJson.write(wrongKey), wrongKey.timestamp());
    history.pipeInput("u1", "{\"id\":\"h3\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"user\":\"u1\",\"amount\":5,\"challenge\":\"maybe\"}"
        .getBytes(StandardCharsets.UTF_8), Instant.parse("2024-01-01T00:00:00Z"));
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(3, dead.size());
    List<String> reasons = dead.stream().map(r -> new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
        .toList();
    assertTrue(reasons.get(0).contains("not valid JSON"), reasons.get(0));
    assertTrue(reasons.get(1).contains("is not the transaction's user"), reasons.get(1));
    assertTrue(reasons.get(2).contains("got 'maybe'"), reasons.get(2));
    for (TestRecord<String, byte[]> record : dead) {
      assertEquals(topics.backfill(), new String(record.headers().lastHeader(DeadLetterHeaders.TOPIC).value(), StandardCharsets.UTF_8));
    }
    assertEquals(3.0, metrics.registry().counter("fraudstream.dead.letters", "source", topics.backfill()).count());
    assertTrue(decisions.isEmpty());
  }
}
