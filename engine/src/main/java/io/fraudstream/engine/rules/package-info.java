/**
 * The rules language: its parser, the parsed rules and their judgement of a payment, and the
 * {@link io.fraudstream.engine.rules.Tier}s a rule or the model can give. A new rule kind starts
 * in {@code RulesParser}. Depends on {@code features} only.
 */
package io.fraudstream.engine.rules;
