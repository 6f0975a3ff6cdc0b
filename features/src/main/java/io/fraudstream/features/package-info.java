/**
 * What a payment is and what is computed from it, with no Kafka in sight: the payment and label
 * records and their JSON, the input limits every reader applies, the pseudonymiser, the feature
 * catalogue ({@link io.fraudstream.features.Feature}), the per-user and per-entity states and the
 * extractors that turn a payment and a state into features. The offline replay and the engine run
 * this same code, which is what keeps training and serving equal. Depends on nothing of ours.
 */
package io.fraudstream.features;
