package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.Alert;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.ChallengeResult.Outcome;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.IdentifierHasher;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The step-up loop: challenge results teach the user's state in the user's task, feed rules, policy and metrics. */
class ChallengeResultsTest {

  private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
  private static final String NEW_DEVICE_RULE = "when new_device then challenge \"a new device\"";
  private final Topics topics = Topics.defaults();
  private DrivenEngine engine;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> payments;
  private TestInputTopic<String, byte[]> results;
  private TestOutputTopic<String, Decision> decisions;
  private TestOutputTopic<String, Alert> alerts;
  private TestOutputTopic<String, Block> blocks;
  private TestOutputTopic<String, byte[]> deadLetters;
  private EngineMetrics metrics;
  private DecisionPolicy policy;

  private void start(ChallengePolicy challenges, String rules) {
    policy = new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24));
    if (rules != null) {
      policy.useRules(Rules.parse("rules", rules, new IdentifierHasher(TestModels.SECRET)));
    }
    engine = new DrivenEngine("fraudstream-challenge-test", policy, challenges);
    driver = engine.driver;
    metrics = engine.metrics;
    payments = engine.payments;
    results = engine.input(topics.challengeResults());
    decisions = engine.decisions;
    alerts = engine.alerts;
    blocks = engine.blocks;
    deadLetters = engine.deadLetters;
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  private Decision pay(String id, Duration after, String device) {
    Transaction tx = Transaction.of(id, T0.plus(after), "alice", 25).toBuilder().currency("EUR").merchant("m1").device(device)
        .country("BE").build();
    payments.pipeInput(tx.user(), TransactionJson.write(tx), tx.timestamp());
    driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
    List<Decision> decided = decisions.readValuesToList();
    assertEquals(1, decided.size());
    return decided.get(0);
  }

  private void answer(String paymentId, Outcome outcome, Duration after) {
    Instant time = T0.plus(after);
    results.pipeInput("alice", new ChallengeResult(paymentId, outcome, "otp", time).toJson(), time);
  }

  /** Ten days on the phone, then a payment from a laptop, which the rule challenges. */
  private Decision laptopAfterHistory() {
    for (int day = 0; day < 10; day++) {
      pay("h" + day, Duration.ofDays(day), "phone");
    }
    Decision challenged = pay("p1", Duration.ofDays(10), "laptop");
    assertEquals(Tier.CHALLENGE, challenged.tier());
    assertTrue(challenged.reasons().contains("a new device"), challenged.reasons().toString());
    return challenged;
  }

  @Test
  void aPassedChallengeMakesTheNextPaymentFromThatDeviceScoreWithoutTheNewDeviceReason() {
    start(ChallengePolicy.defaults(), NEW_DEVICE_RULE);
    laptopAfterHistory();
    answer("p1", Outcome.PASSED, Duration.ofDays(10).plusMinutes(1));
    Decision next = pay("p2", Duration.ofDays(10).plusHours(2), "laptop");
    assertFalse(next.reasons().contains("a new device"), next.reasons().toString());
    assertEquals(1.0, next.features().get(Feature.DEVICE_VERIFIED.featureName()));
    assertEquals(0.0, next.features().get(Feature.NEW_DEVICE.featureName()));
    assertTrue(alerts.readValuesToList().stream().noneMatch(alert -> alert.message().contains("could not confirm")));
    // Counted by the feature of the challenge's first reason, whether a rule or the model gave it.
    assertEquals(1.0, metrics.registry().counter("fraudstream.challenge.results", "outcome", "passed", "reason", "new_device").count());
    // The rule challenged the very first payment too: every device is new then.
    assertEquals(2.0, metrics.registry().counter("fraudstream.challenges.issued", "reason", "new_device").count());
  }

  @Test
  void aFailedChallengeKeepsTheDeviceNewAndAlertsTheUserByDefault() {
    start(ChallengePolicy.defaults(), NEW_DEVICE_RULE);
    laptopAfterHistory();
    alerts.readValuesToList();
    answer("p1", Outcome.FAILED, Duration.ofDays(10).plusMinutes(1));
    List<Alert> told = alerts.readValuesToList();
    assertEquals(1, told.size());
    assertEquals("alice", told.get(0).user());
    assertTrue(told.get(0).message().startsWith("Someone could not confirm a payment from your account (otp)."), told.get(0).message());
    Decision next = pay("p2", Duration.ofDays(10).plusHours(2), "laptop");
    assertTrue(next.reasons().contains("a new device"), "the device that failed is still new: " + next.reasons());
    assertEquals(1.0, next.features().get(Feature.FAILED_CHALLENGES_24H.featureName()));
    assertTrue(blocks.isEmpty(), "alerting places no block");
    // A second answer to the same payment neither counts nor alerts again.
    alerts.readValuesToList();
    answer("p1", Outcome.FAILED, Duration.ofDays(10).plusMinutes(3));
    assertTrue(alerts.isEmpty());
    assertEquals(1.0, metrics.registry().counter("fraudstream.challenge.results.learned", "learned", "already-answered").count());
  }

  @Test
  void twoFailedChallengesTriggerTheRulesBlock() {
    start(new ChallengePolicy(ChallengePolicy.OnFailed.NOTHING, false),
        NEW_DEVICE_RULE + "\nwhen failed_challenges_24h >= 2 then block \"two failed verifications today\"");
    laptopAfterHistory();
    answer("p1", Outcome.FAILED, Duration.ofDays(10).plusMinutes(1));
    Decision second = pay("p2", Duration.ofDays(10).plusMinutes(5), "laptop");
    assertNotEquals(Tier.BLOCK, second.tier(), "one failure is not yet two: " + second.reasons());
    answer("p2", Outcome.FAILED, Duration.ofDays(10).plusMinutes(6));
    Decision third = pay("p3", Duration.ofDays(10).plusMinutes(10), "laptop");
    assertEquals(Tier.BLOCK, third.tier());
    assertEquals("two failed verifications today", third.reasons().get(0));
    List<TestRecord<String, Block>> placed = blocks.readRecordsToList();
    assertEquals(1, placed.size());
    assertEquals(Rules.key(Rules.Entity.USER, "alice"), placed.get(0).key());
    assertEquals("p3", placed.get(0).value().paymentId());
    assertTrue(alerts.readValuesToList().stream().noneMatch(alert -> alert.message().contains("could not confirm")),
        "with nothing as the option, a failed challenge alerts no one on its own");
  }

  @Test
  void aFailedChallengeBlocksTheUserAtOnceWhenTheOptionSaysSo() {
    start(new ChallengePolicy(ChallengePolicy.OnFailed.BLOCK, false), NEW_DEVICE_RULE);
    laptopAfterHistory();
    alerts.readValuesToList();
    answer("p1", Outcome.FAILED, Duration.ofDays(10).plusMinutes(1));
    List<TestRecord<String, Block>> placed = blocks.readRecordsToList();
    assertEquals(1, placed.size());
    assertEquals(Rules.key(Rules.Entity.USER, "alice"), placed.get(0).key());
    assertTrue(placed.get(0).value().reason().startsWith("verification failed (otp)"), placed.get(0).value().reason());
    List<Alert> told = alerts.readValuesToList();
    assertEquals(1, told.size(), "one alert for the failed challenge and its block: " + told);
    assertEquals(Tier.BLOCK, told.get(0).tier());
    // The user's next payment meets the block at once, from the task's own pending blocks.
    Decision next = pay("p2", Duration.ofDays(10).plusMinutes(5), "phone");
    assertEquals(Tier.BLOCK, next.tier());
    assertEquals("p1", next.activeBlock().paymentId());
  }

  @Test
  void aFailedChallengeIsAFraudLabelForLivePrecisionOnlyWhenConfigured() {
    for (boolean failedIsFraud : new boolean[] {false, true}) {
      stop();
      start(new ChallengePolicy(ChallengePolicy.OnFailed.NOTHING, failedIsFraud), NEW_DEVICE_RULE);
      laptopAfterHistory();
      answer("p1", Outcome.FAILED, Duration.ofDays(10).plusMinutes(1));
      double fraudChallenges = metrics.registry().get("fraudstream.labelled.decisions").tag("tier", "CHALLENGE").tag("label", "fraud")
          .gauge().value();
      assertEquals(failedIsFraud ? 1.0 : 0.0, fraudChallenges, "failed-challenge-is-fraud " + failedIsFraud);
    }
    // A passed challenge is never a legitimate label: it is counted apart, as a result.
    stop();
    start(new ChallengePolicy(ChallengePolicy.OnFailed.NOTHING, true), NEW_DEVICE_RULE);
    laptopAfterHistory();
    answer("p1", Outcome.PASSED, Duration.ofDays(10).plusMinutes(1));
    assertEquals(0.0, metrics.registry().get("fraudstream.labelled.decisions").tag("tier", "CHALLENGE").tag("label", "legit")
        .gauge().value());
  }

  @Test
  void aMalformedResultGoesToTheDeadLetterTopicWithItsReasonAndTheNextOneIsUsed() {
    start(ChallengePolicy.defaults(), NEW_DEVICE_RULE);
    laptopAfterHistory();
    Map<String, String> sent = new LinkedHashMap<>();
    sent.put("{\"payment_id\":\"p1\",\"outcome\":\"maybe\",\"time\":\"2024-03-11T09:01:00Z\"}", "got 'maybe'");
    sent.put("{\"payment_id\":\"p1\",\"outcome\":\"passed\"", "not valid JSON");
    sent.put("{\"payment_id\":\"p1\",\"outcome\":\"passed\",\"time\":\"2999-01-01T00:00:00Z\"}", "challenge result time");
    sent.put("{\"payment_id\":\"p1\",\"outcome\":\"passed\",\"method\":\"" + "m".repeat(40) + "\",\"time\":1710147660000}", "at most 32");
    for (String value : sent.keySet()) {
      results.pipeInput("alice", value.getBytes(StandardCharsets.UTF_8), T0.plus(Duration.ofDays(10)));
    }
    results.pipeInput((String) null, new ChallengeResult("p1", Outcome.PASSED, "otp", T0).toJson(), T0.plus(Duration.ofDays(10)));
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(sent.size() + 1, dead.size());
    int i = 0;
    for (Map.Entry<String, String> entry : sent.entrySet()) {
      TestRecord<String, byte[]> record = dead.get(i++);
      assertEquals(entry.getKey(), new String(record.value(), StandardCharsets.UTF_8));
      String reason = new String(record.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
      assertTrue(reason.contains(entry.getValue()), reason);
      assertEquals(topics.challengeResults(), new String(record.headers().lastHeader(DeadLetterHeaders.TOPIC).value(), StandardCharsets.UTF_8));
    }
    assertTrue(new String(dead.get(sent.size()).headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8)
        .contains("key it by the user id"));
    assertEquals(sent.size() + 1.0, metrics.registry().counter("fraudstream.dead.letters", "source", topics.challengeResults()).count());

    // Nothing was learned from them, and the stream goes on: the next good result is used.
    answer("p1", Outcome.PASSED, Duration.ofDays(10).plusMinutes(2));
    assertEquals(1.0, pay("p2", Duration.ofDays(10).plusHours(1), "laptop").features().get(Feature.DEVICE_VERIFIED.featureName()));
  }

  @Test
  void aResultForAUserOrPaymentNeverSeenCreatesNoStateAndIsCounted() {
    start(ChallengePolicy.defaults(), null);
    results.pipeInput("mallory", new ChallengeResult("x", Outcome.FAILED, "otp", T0).toJson(), T0);
    assertEquals(1.0, metrics.registry().counter("fraudstream.challenge.results.learned", "learned", "unknown-payment").count());
    assertEquals(1.0, metrics.registry().counter("fraudstream.challenge.results", "outcome", "failed", "reason", "not-issued-here").count());
    assertTrue(alerts.isEmpty(), "no alert for a payment nobody made");
    Decision first = pay("m1", Duration.ZERO, "phone");
    assertEquals(1.0, first.features().get(Feature.FIRST_PAYMENT.featureName()));
  }

  @Test
  void aResultFromAnotherUserNamingThePaymentClosesNothing() {
    start(ChallengePolicy.defaults(), NEW_DEVICE_RULE);
    laptopAfterHistory();
    Instant time = T0.plus(Duration.ofDays(10).plusMinutes(1));
    results.pipeInput("mallory", new ChallengeResult("p1", Outcome.PASSED, "otp", time).toJson(), time);
    assertEquals(1.0, metrics.registry().counter("fraudstream.challenge.results", "outcome", "passed", "reason", "not-issued-here").count());
    // Alice's challenge is still open: her own answer is the one counted by its reason, and it verifies her device.
    answer("p1", Outcome.PASSED, Duration.ofDays(10).plusMinutes(2));
    assertEquals(1.0, metrics.registry().counter("fraudstream.challenge.results", "outcome", "passed", "reason", "new_device").count());
    assertEquals(1.0, pay("p2", Duration.ofDays(10).plusHours(1), "laptop").features().get(Feature.DEVICE_VERIFIED.featureName()));
  }

  @Test
  void theOfflineReplayWithAChallengeColumnGivesTheTopologysVectors() {
    start(ChallengePolicy.defaults(), null);
    List<Transaction> history = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 20, 31).withChallenges(true))
        .subList(0, 8_000);
    Map<String, Decision> online = new HashMap<>();
    for (Transaction tx : history) {
      payments.pipeInput(tx.user(), TransactionJson.write(tx), tx.timestamp());
      if (tx.challenge() != null) {
        // As the offline replay applies it: right after its payment, at the payment's time.
        results.pipeInput(tx.user(), new ChallengeResult(tx.id(), tx.challenge(), "otp", tx.timestamp()).toJson(), tx.timestamp());
      }
      driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
    }
    decisions.readValuesToList().forEach(decision -> online.put(decision.paymentId(), decision));
    List<FeatureRow> offline = OfflineReplay.replay(history, TestModels.SECRET);
    Map<String, Map<String, Double>> mismatches = new TreeMap<>();
    for (FeatureRow row : offline) {
      FeatureVector live = FeatureVector.fromMap(online.get(row.transaction().id()).features());
      for (Feature feature : Feature.all()) {
        if (Double.compare(live.get(feature), row.features().get(feature)) != 0) {
          mismatches.computeIfAbsent(row.transaction().id(), id -> new TreeMap<>()).put(feature.featureName(), live.get(feature));
        }
      }
    }
    assertEquals(Map.of(), mismatches);
    assertTrue(history.stream().filter(tx -> tx.challenge() != null).count() > 50, "the history has challenges");
    assertTrue(offline.stream().anyMatch(row -> row.features().get(Feature.DEVICE_VERIFIED) == 1), "verified devices");
    assertTrue(offline.stream().anyMatch(row -> row.features().get(Feature.FAILED_CHALLENGES_24H) >= 1), "failed challenges");
    assertTrue(offline.stream().anyMatch(row -> row.features().get(Feature.ABANDONED_CHALLENGES_24H) >= 1), "abandoned challenges");
  }
}
