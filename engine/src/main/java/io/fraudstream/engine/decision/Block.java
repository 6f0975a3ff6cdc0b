package io.fraudstream.engine.decision;

import java.time.Instant;

/**
 * A block on an entity, written to the compacted blocks topic keyed by {@code entity}
 * ({@code user:u123}, {@code device:hmac:…} or {@code merchant:m9}). While it lasts, the entity's
 * payments are refused; it ends at {@code expiresAt}, or earlier with a tombstone on its key
 * ({@code fraudstream unblock}).
 */
public record Block(
    String entity,
    String entityType,
    String paymentId,
    String reason,
    Instant blockedAt,
    Instant expiresAt) {

  /**
   * Whether the block holds for a payment made at {@code time}: from {@code blockedAt} until
   * {@code expiresAt}. A payment made before the block, but decided after it was read back (its
   * user's payments cross partitions by merchant), is not refused by it.
   */
  public boolean activeAt(Instant time) {
    return (blockedAt == null || !time.isBefore(blockedAt)) && (expiresAt == null || time.isBefore(expiresAt));
  }
}
