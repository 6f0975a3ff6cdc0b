/**
 * The engine as one running thing: {@link io.fraudstream.engine.FraudEngine} starts the topology
 * with its metrics, serving files and watchdogs, from an {@link io.fraudstream.engine.EngineConfig}
 * and a {@link io.fraudstream.engine.KafkaProfile}. The entry point for embedding the engine; its
 * sub-packages hold the parts, and only {@code cli} and the benchmarks depend on this package.
 */
package io.fraudstream.engine;
