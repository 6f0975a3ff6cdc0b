/**
 * Rules tried on history before they go live: a labelled dataset replayed through the features,
 * scored by a bundle and judged by rules files with the engine's own precedence ({@link
 * io.fraudstream.engine.decision.DecisionPolicy#tier}), counted per policy, per statement and
 * per day, and written as HTML and JSON. Depends on {@code decision}, {@code rules}, {@code
 * models} and {@code features}; no Kafka.
 */
package io.fraudstream.engine.backtest;
