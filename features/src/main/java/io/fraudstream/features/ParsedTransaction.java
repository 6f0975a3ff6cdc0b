package io.fraudstream.features;

/**
 * The outcome of reading one record from the transactions topic: a valid payment, or the raw
 * bytes with the reason they could not be read. Errors are data here so that a bad record is
 * routed to the dead-letter topic instead of stopping the stream.
 */
public sealed interface ParsedTransaction {

  /** The bytes as they arrived, or {@code null} for a tombstone. */
  byte[] raw();

  /** A record that passed validation. */
  record Valid(Transaction transaction, byte[] raw) implements ParsedTransaction {}

  /** A record that did not; {@code reason} says what to fix. */
  record Invalid(byte[] raw, String reason) implements ParsedTransaction, Unreadable {}
}
