package io.fraudstream.features;

/**
 * A payment with the features computed for it, passed from the feature processor to scoring
 * within one stream task (never written to a topic, so raw identifiers stay in memory).
 *
 * @param extractionNanos time spent reading state, extracting and writing state back
 */
public record FeaturedTransaction(Transaction transaction, FeatureVector features, long extractionNanos) {}
