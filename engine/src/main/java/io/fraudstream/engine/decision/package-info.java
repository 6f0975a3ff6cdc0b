/**
 * How a payment is decided and what is written about it: the policy (model, shadow model, rules
 * and blocks in precedence), the reasons in words, the alert wording, and the records written to
 * topics ({@link io.fraudstream.engine.decision.Decision}, {@link
 * io.fraudstream.engine.decision.Alert}, {@link io.fraudstream.engine.decision.Block}). Depends on
 * {@code rules}, {@code models} and {@code features}; no Kafka.
 */
package io.fraudstream.engine.decision;
