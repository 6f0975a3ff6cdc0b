package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.streams.EntityRiskProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An erasure request forgets the user everywhere the engine keeps them: their state, their open
 * challenges, and their hash in every entity's recent users, in the entity state and as published
 * to every instance. Another user of the same merchant and device keeps all of theirs. A payment
 * waiting out the grace when the request comes is decided after it, and leaves the buffer then.
 */
class ErasureTest {

  private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
  private final IdentifierHasher users = TestModels.PSEUDONYMISER.newHasher();
  private DrivenEngine engine;
  private TestOutputTopic<String, byte[]> entityRisk;

  @BeforeEach
  void start() {
    DecisionPolicy policy = new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24));
    policy.useRules(Rules.parse("rules", "when new_device then challenge \"a new device\"", new IdentifierHasher(TestModels.SECRET)));
    engine = new DrivenEngine("fraudstream-erasure-test", policy, ChallengePolicy.defaults());
    entityRisk = engine.driver.createOutputTopic(engine.topics.entityRisk(), new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  @Test
  void shouldForgetTheUsersStateOpenChallengesAndHashInEveryEntity() {
    for (String user : List.of("alice", "bob")) {
      for (int i = 0; i < 3; i++) {
        assertEquals(Tier.CHALLENGE, pay(user, user + i, Duration.ofMinutes(10 * i), user + "-phone-" + i).tier(),
            "every new device is challenged: an open challenge per payment");
      }
    }
    KeyValueStore<String, Object> userStates = engine.driver.getKeyValueStore(FraudTopology.USER_STATE_STORE);
    KeyValueStore<String, byte[]> openChallenges = engine.driver.getKeyValueStore(FraudTopology.OPEN_CHALLENGES_STORE);
    assertEquals(3, openChallengesOf(openChallenges, "alice"));
    assertEquals(4, entitiesRemembering("alice").size(), "the merchant and alice's three devices remember alice");

    engine.input(engine.topics.erasures()).pipeInput("alice", "{}".getBytes(StandardCharsets.UTF_8), T0.plus(Duration.ofHours(1)));
    engine.driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);

    assertNull(userStates.get("alice"));
    assertNotNull(userStates.get("bob"));
    assertEquals(0, openChallengesOf(openChallenges, "alice"));
    assertEquals(3, openChallengesOf(openChallenges, "bob"));
    assertEquals(List.of(), entitiesRemembering("alice"), "alice's hash in the entity state");
    assertEquals(4, entitiesRemembering("bob").size(), "the merchant and bob's three devices still remember bob");
    Map<String, EntityState> published = lastPublished();
    assertTrue(published.values().stream().noneMatch(state -> state.remembers(users.hash("alice"))),
        "alice's hash as last published for every instance");
    assertTrue(published.get(EntityKind.MERCHANT.riskKey("m1")).remembers(users.hash("bob")));

    // A result of a challenge the erasure closed acts on nothing.
    engine.alerts.readValuesToList();
    engine.input(engine.topics.challengeResults()).pipeInput("alice",
        new ChallengeResult("alice2", ChallengeResult.Outcome.FAILED, "otp", T0.plus(Duration.ofHours(2))).toJson(), T0.plus(Duration.ofHours(2)));
    assertEquals(List.of(), engine.alerts.readValuesToList());
  }

  @Test
  void shouldDecideAPaymentWaitingOutTheGraceAfterTheErasureAndThenHoldNothingOfTheUser() {
    engine.close();
    Duration grace = Duration.ofSeconds(10);
    engine = new DrivenEngine("fraudstream-erasure-grace-test", new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24)),
        ChallengePolicy.defaults(), grace);
    send("alice", "a0", Duration.ZERO);
    send("alice", "a1", Duration.ofSeconds(20));
    assertEquals(List.of("a0"), engine.decisions.readValuesToList().stream().map(Decision::paymentId).toList(),
        "a1 waits out the grace");
    assertEquals(1, bufferedPaymentsOf("alice"));

    engine.input(engine.topics.erasures()).pipeInput("alice", "{}".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(21));
    // A quiet partition's buffer is flushed at the second idle check.
    engine.driver.advanceWallClockTime(grace);
    engine.driver.advanceWallClockTime(grace);

    List<Decision> after = engine.decisions.readValuesToList();
    assertEquals(List.of("a1"), after.stream().map(Decision::paymentId).toList(), "the waiting payment is decided, not dropped");
    assertEquals(1.0, after.get(0).features().get(Feature.FIRST_PAYMENT.featureName()), "against no history: the erasure came first");
    assertEquals(0, bufferedPaymentsOf("alice"));
  }

  private void send(String user, String id, Duration after) {
    Transaction tx = Transaction.of(id, T0.plus(after), user, 25).toBuilder().currency("EUR").merchant("m1").build();
    engine.payments.pipeInput(user, TransactionJson.write(tx), tx.timestamp());
  }

  /** The reorder buffer's payments of the user (a payment is buffered as its JSON). */
  private int bufferedPaymentsOf(String user) {
    KeyValueStore<Bytes, byte[]> buffer = engine.driver.getKeyValueStore(FraudTopology.REORDER_BUFFER_STORE);
    int count = 0;
    try (KeyValueIterator<Bytes, byte[]> all = buffer.all()) {
      while (all.hasNext()) {
        count += new String(all.next().value, StandardCharsets.UTF_8).contains("\"" + user + "\"") ? 1 : 0;
      }
    }
    return count;
  }

  private Decision pay(String user, String id, Duration after, String device) {
    Transaction tx = Transaction.of(id, T0.plus(after), user, 25).toBuilder().currency("EUR").merchant("m1").device(device).build();
    engine.payments.pipeInput(user, TransactionJson.write(tx), tx.timestamp());
    engine.driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
    List<Decision> decided = engine.decisions.readValuesToList();
    assertEquals(1, decided.size());
    return decided.get(0);
  }

  private static int openChallengesOf(KeyValueStore<String, byte[]> store, String user) {
    int count = 0;
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      while (all.hasNext()) {
        count += all.next().key.startsWith(OpenChallenges.userPrefix(user)) ? 1 : 0;
      }
    }
    return count;
  }

  private List<String> entitiesRemembering(String user) {
    KeyValueStore<String, byte[]> states = engine.driver.getKeyValueStore(FraudTopology.ENTITY_STATE_STORE);
    List<String> remembering = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> all = states.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> entry = all.next();
        if (EntityState.fromBytes(entry.value).remembers(users.hash(user))) {
          remembering.add(entry.key);
        }
      }
    }
    return remembering;
  }

  private Map<String, EntityState> lastPublished() {
    Map<String, EntityState> last = new HashMap<>();
    for (KeyValue<String, byte[]> record : entityRisk.readKeyValuesToList()) {
      if (EntityKind.ofRiskKey(record.key) != null && record.value != null) {
        last.put(record.key, EntityState.fromBytes(record.value));
      }
    }
    return last;
  }
}
