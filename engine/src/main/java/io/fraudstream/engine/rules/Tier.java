package io.fraudstream.engine.rules;

/** What happens to a payment. */
public enum Tier {
  /** The payment goes through. */
  ALLOW,
  /** Step-up verification first, e.g. a one-time code. */
  CHALLENGE,
  /** The payment is refused and the user is blocked until expiry or unblock. */
  BLOCK
}
