package io.fraudstream.engine;

import java.time.Instant;

/**
 * A block on an entity, written to the compacted blocks topic keyed by {@code entity}
 * (e.g. {@code user:u123}); a tombstone on that key lifts it.
 */
public record Block(
    String entity,
    String entityType,
    String paymentId,
    String reason,
    Instant blockedAt,
    Instant expiresAt) {}
