package io.fraudstream.engine.answer;

import io.fraudstream.engine.decision.AlertWording;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.JsonSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the decide endpoint answers: the payment's decision as the decisions topic records it,
 * with the alert's text the user is shown and the block it places; or, past the caller's deadline,
 * the deployment's fallback tier, marked as such (see {@code docs/decide-api.md}).
 *
 * @param score the live model's score, or null in a fallback
 * @param alert the message an alert tells the user (CHALLENGE and BLOCK), or null
 * @param block the block this decision places on the user, or null
 * @param decidedAt when the engine decided, or null in a fallback
 */
public record Answer(
    String paymentId,
    Tier tier,
    Double score,
    List<String> reasons,
    boolean fallback,
    String alert,
    Block block,
    String modelVersion,
    String rulesVersion,
    Instant decidedAt) {

  static final JsonSerde<Answer> SERDE = new JsonSerde<>(Answer.class);
  static final JsonSerde<Error> SERDE_ERRORS = new JsonSerde<>(Error.class);

  /** What a refused request is told: what to fix, or when to come back. */
  record Error(String error) {}

  /** The decision as answered. */
  static Answer of(Decision decision, DecisionPolicy policy) {
    return new Answer(decision.paymentId(), decision.tier(), Double.isNaN(decision.score()) ? null : decision.score(), decision.reasons(), false,
        decision.tier() == Tier.ALLOW ? null : AlertWording.alertFor(decision).message(),
        decision.placesBlock() ? policy.blockFor(decision) : null, decision.modelVersion(), decision.rulesVersion(),
        decision.decidedAt());
  }

  /** The fallback tier, for a payment not decided within {@code deadline}. */
  static Answer fallback(String paymentId, Tier tier, Duration deadline) {
    return new Answer(paymentId, tier, null, List.of("no decision within the " + deadline.toMillis()
        + " ms deadline: the deployment's fallback tier; the decision is still made and recorded"), true, null, null, null, null, null);
  }

  /** The same tier, score and reasons: what a caller acts on. */
  boolean sameVerdict(Answer other) {
    return tier == other.tier && Objects.equals(score, other.score) && Objects.equals(reasons, other.reasons);
  }

  byte[] toJson() {
    return SERDE.serializer().serialize(null, this);
  }
}
