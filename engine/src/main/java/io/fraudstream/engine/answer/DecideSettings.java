package io.fraudstream.engine.answer;

import io.fraudstream.engine.console.Operators;
import io.fraudstream.engine.rules.Tier;
import java.time.Duration;
import java.util.Objects;

/**
 * How the decide endpoint answers.
 *
 * @param deadline how long a caller waits for the decision when its request names no deadline
 * @param fallback the tier answered, marked as a fallback, when the decision is not made in time
 * @param maxInFlight payments waiting for their decision at once; more are refused with 429
 * @param remembered how long a payment id is remembered, so that a retry gets the same decision and
 *     a different payment under the same id is refused
 * @param callers the callers allowed, by bearer token (kept as digests); with none, only this
 *     machine's loopback address may call
 */
public record DecideSettings(Duration deadline, Tier fallback, int maxInFlight, Duration remembered, Operators callers) {

  /** The longest deadline a request may ask for: an authorisation call waits far less. */
  public static final Duration MAX_DEADLINE = Duration.ofSeconds(30);

  public DecideSettings {
    Objects.requireNonNull(fallback, "fallback");
    Objects.requireNonNull(callers, "callers");
    if (deadline.isNegative() || deadline.isZero() || deadline.compareTo(MAX_DEADLINE) > 0) {
      throw new IllegalArgumentException("the decide deadline must be 1 ms to " + MAX_DEADLINE.toMillis() + " ms, got "
          + deadline.toMillis() + " ms");
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("the decide endpoint's payments in flight must be at least 1, got " + maxInFlight);
    }
    if (remembered.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("payment ids must be remembered for at least 1 s, got " + remembered);
    }
  }

  /** 250 ms, CHALLENGE when late, 1,000 in flight, ids remembered 10 minutes, loopback callers only. */
  public static DecideSettings defaults() {
    return new DecideSettings(Duration.ofMillis(250), Tier.CHALLENGE, 1_000, Duration.ofMinutes(10), Operators.parse(null));
  }
}
