/**
 * The Kafka Streams topology of the engine: {@link io.fraudstream.engine.topology.FraudTopology}
 * wires the payment path, the entity sub-topology, labels and erasures; {@link
 * io.fraudstream.engine.topology.Topics} names the topics with their serdes; the decision and
 * dead-letter processors live here. Depends on {@code decision}, {@code rules}, {@code serving}
 * (for metrics) and {@code features.streams}.
 */
package io.fraudstream.engine.topology;
