package io.fraudstream.engine.topology;

import io.fraudstream.engine.decision.AlertWording;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Tier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * What the payment path writes for users and payment services to read: a decision per payment,
 * an alert per suspicious one and per failed challenge, and the blocks. Decisions and alerts are
 * stamped with the time the engine wrote them ({@link StampWritten}), so that their topics'
 * retention counts from then; blocks carry the time they were placed.
 */
final class UserOutputs {

  private UserOutputs() {}

  static void write(KStream<String, Decision> decisions, KStream<String, OpenChallenges.FollowUp> followUps, Topics topics,
      DecisionPolicy policy) {
    writeDecisions(decisions, topics, policy);
    writeFollowUps(followUps, topics);
  }

  private static void writeDecisions(KStream<String, Decision> decisions, Topics topics, DecisionPolicy policy) {
    KStream<String, Decision> written = decisions.processValues(StampWritten::new, Named.as("stamp-decisions"));
    written
        .selectKey((user, decision) -> decision.paymentId(), Named.as("key-by-payment"))
        .to(topics.decisions(), Produced.with(Topics.KEY_SERDE, Topics.DECISION_SERDE).withName("write-decisions"));
    written
        .filter((user, decision) -> decision.tier() != Tier.ALLOW, Named.as("suspicious"))
        .map((user, decision) -> KeyValue.pair(decision.user(), AlertWording.alertFor(decision)), Named.as("alert"))
        .to(topics.alerts(), Produced.with(Topics.KEY_SERDE, Topics.ALERT_SERDE).withName("write-alerts"));
    decisions
        .filter((user, decision) -> decision.placesBlock(), Named.as("blocked"))
        .processValues(() -> new PlaceBlock(policy), Named.as("block"))
        .selectKey((user, block) -> block.entity(), Named.as("key-by-entity"))
        .to(topics.blocks(), Produced.with(Topics.KEY_SERDE, Topics.BLOCK_SERDE).withName("write-blocks"));
  }

  /** What failed challenges lead to: alerts to their users and, when the policy says so, blocks. */
  private static void writeFollowUps(KStream<String, OpenChallenges.FollowUp> followUps, Topics topics) {
    followUps
        .filter((user, followUp) -> followUp.alert() != null, Named.as("failed-challenge-alerts"))
        .mapValues(OpenChallenges.FollowUp::alert, Named.as("failed-challenge-alert"))
        .processValues(StampWritten::new, Named.as("stamp-failed-challenge-alerts"))
        .to(topics.alerts(), Produced.with(Topics.KEY_SERDE, Topics.ALERT_SERDE).withName("write-failed-challenge-alerts"));
    followUps
        .filter((user, followUp) -> followUp.block() != null, Named.as("failed-challenge-blocks"))
        .map((user, followUp) -> KeyValue.pair(followUp.block().entity(), followUp.block()), Named.as("key-failed-challenge-block"))
        .to(topics.blocks(), Produced.with(Topics.KEY_SERDE, Topics.BLOCK_SERDE).withName("write-failed-challenge-blocks"));
  }
}
