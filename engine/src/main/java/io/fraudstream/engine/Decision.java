package io.fraudstream.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The verdict on one payment, written to the decisions topic keyed by payment id. It carries the
 * feature values and model version it was made with, so it can be re-derived later.
 *
 * @param reasons why, in words, strongest first (may be empty for an unremarkable payment)
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
    Tier tier,
    double score,
    List<String> reasons,
    String modelVersion,
    Map<String, Double> features,
    double extractionMicros,
    double scoringMicros,
    Instant decidedAt) {}
