package io.fraudstream.features;

/**
 * A payment with the features computed for it, on its way from the feature processor to
 * scoring. It crosses the repartition topics only through {@link FeaturedTransactionSerde},
 * which keeps the device's token and drops every other identifier.
 *
 * @param extractionNanos time spent reading state, extracting and writing state back
 */
public record FeaturedTransaction(Transaction transaction, FeatureVector features, long extractionNanos) {}
