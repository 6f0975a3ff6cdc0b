package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Tier;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The verdict on one payment, written to the decisions topic keyed by payment id. It carries
 * everything it was made on (the payment's pseudonymous fields, the feature values, the model's
 * provenance, the rules' version and any active block), so {@code fraudstream explain} can make
 * it again and show that it matches.
 *
 * @param device the device's token, never the raw id
 * @param country the country's token
 * @param tier the outcome; {@code modelTier} is what the model's score alone gave
 * @param reasons why, in words: rule hits first, then the features that pushed the score up
 *     most, strongest first (may be empty for an unremarkable payment)
 * @param activeBlock the block on the user, device or merchant this payment met, if any
 * @param placesBlock whether this decision blocks the user (a BLOCK from the model or a rule;
 *     a payment refused by a list or an existing block places none)
 * @param shadow what the shadow model said, when one is configured; it never changes the tier
 * @param extractionMicros time spent computing features (state read and write included)
 * @param scoringMicros time spent scoring and deciding
 * @param decidedAt wall-clock time of the decision, for measuring latency
 */
public record Decision(
    String paymentId,
    String user,
    Instant timestamp,
    double amount,
    String currency,
    String merchant,
    String device,
    String country,
    Tier tier,
    double score,
    Tier modelTier,
    List<String> reasons,
    String modelVersion,
    String modelProvenance,
    String rulesVersion,
    Block activeBlock,
    boolean placesBlock,
    Shadow shadow,
    Map<String, Double> features,
    double extractionMicros,
    double scoringMicros,
    Instant decidedAt) {

  /** A shadow model's score and tier for the same payment, for comparison only. */
  public record Shadow(String modelVersion, String modelProvenance, double score, Tier tier) {}
}
