/**
 * The Kafka Streams processors and serdes around the pure feature code: tokenising and featuring
 * payments from the user store, the entity events, the entity-risk store and its publishing,
 * erasure, retention, and the serdes of stored states. Depends on {@code features}; the engine
 * wires these into its topology.
 */
package io.fraudstream.features.streams;
