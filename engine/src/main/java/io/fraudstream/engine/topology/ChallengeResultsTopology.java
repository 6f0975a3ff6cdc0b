package io.fraudstream.engine.topology;

import static io.fraudstream.engine.topology.FraudTopology.OPEN_CHALLENGES_STORE;
import static io.fraudstream.engine.topology.FraudTopology.PENDING_USER_BLOCKS_STORE;
import static io.fraudstream.engine.topology.FraudTopology.USER_STATE_STORE;

import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.streams.ChallengeLearner;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * The payment path's branch for the challenge-results topic: how step-up verifications ended,
 * read in the user's task beside the user's payments, so that a result teaches the state the
 * next payment is featured from.
 */
final class ChallengeResultsTopology {

  private ChallengeResultsTopology() {}

  /** A challenge result as read: usable, or not (with the reason) for the dead-letter topic. */
  sealed interface ReadChallenge permits UsableChallenge, FraudTopology.UnreadableRecord {}

  private record UsableChallenge(ChallengeResult result) implements ReadChallenge {}

  /**
   * How challenges ended, in the user's task: bad results go to the dead-letter topic; good ones
   * teach the user's state, are counted, and a failed one is followed up as the policy says.
   */
  static KStream<String, OpenChallenges.FollowUp> answer(StreamsBuilder builder, Topics topics, DecisionPolicy policy,
      ChallengePolicy challenges, EngineMetrics metrics, InputWindow window) {
    Map<String, KStream<String, ReadChallenge>> results = builder
        .stream(topics.challengeResults(), Consumed.with(Topics.KEY_SERDE, Topics.RAW_SERDE).withName("read-challenge-results"))
        .mapValues((user, value) -> readChallengeResult(user, value, window), Named.as("parse-challenge-result"))
        .split(Named.as("challenge-"))
        .branch((user, result) -> result instanceof FraudTopology.UnreadableRecord, Branched.as("invalid"))
        .defaultBranch(Branched.as("valid"));
    FraudTopology.deadLetter(results.get("challenge-invalid").mapValues(result -> (FraudTopology.UnreadableRecord) result, Named.as("unreadable-challenge-result")),
        topics, metrics, "challenge-dead-letter", "write-bad-challenge-results");
    return results.get("challenge-valid")
        .mapValues(result -> ((UsableChallenge) result).result(), Named.as("unwrap-challenge-result"))
        .process(() -> new ChallengeLearner(USER_STATE_STORE), Named.as("learn-from-challenge"), USER_STATE_STORE)
        .process(() -> new OpenChallenges.Answer(OPEN_CHALLENGES_STORE, PENDING_USER_BLOCKS_STORE, policy, challenges, metrics),
            Named.as("answer-challenge"), OPEN_CHALLENGES_STORE, PENDING_USER_BLOCKS_STORE);
  }

  /**
   * The fraud labels of failed challenges (only when a failed challenge counts as one), handed
   * off keyed by payment id like the labels topic, so that they judge their decision and feed
   * entity risk as a label would.
   */
  static void handOffLabels(KStream<String, OpenChallenges.FollowUp> followUps, FraudTopology.HandOff handOff) {
    followUps
        .filter((user, followUp) -> followUp.label() != null, Named.as("failed-challenge-labels"))
        .map((user, followUp) -> KeyValue.pair(followUp.label().paymentId(), followUp.label().toJson()), Named.as("key-challenge-label-by-payment"))
        .to(handOff.challengeLabels(), FraudTopology.handOffTo("hand-off-challenge-labels"));
  }

  private static ReadChallenge readChallengeResult(String user, byte[] value, InputWindow window) {
    if (user == null || user.isBlank()) {
      return new FraudTopology.UnreadableRecord(value, "challenge result without a user: key it by the user id of the payment it verified");
    }
    String badKey = InputLimits.checkKey(user);
    if (badKey != null) {
      return new FraudTopology.UnreadableRecord(value, badKey);
    }
    try {
      ChallengeResult result = ChallengeResult.parse(value);
      String badTime = window.check(result.time(), "challenge result time");
      return badTime == null ? new UsableChallenge(result) : new FraudTopology.UnreadableRecord(value, badTime);
    } catch (IllegalArgumentException e) {
      return new FraudTopology.UnreadableRecord(value, e.getMessage());
    }
  }
}
