/**
 * The decide endpoint: a payment posted over HTTP, written to the transactions topic, and
 * answered with its decision as soon as the payment path makes it, before the commit; the
 * contract (deadline and fallback, retries by payment id, back-pressure, callers' tokens) and how
 * each answer is settled against the committed decision. Depends on {@code topology} (the input
 * contract through InputChecks, topic serdes), {@code serving} (meters), {@code decision}, {@code rules}, and the
 * console's {@code Operators} for callers' tokens; used by {@code engine} and {@code cli}.
 */
package io.fraudstream.engine.answer;
