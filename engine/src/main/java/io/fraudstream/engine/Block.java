package io.fraudstream.engine;

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

  /** Whether the block still holds for a payment made at {@code time}. */
  public boolean activeAt(Instant time) {
    return expiresAt == null || time.isBefore(expiresAt);
  }
}
