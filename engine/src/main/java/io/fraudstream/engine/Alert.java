package io.fraudstream.engine;

import java.time.Instant;
import java.util.List;

/**
 * A notification for a CHALLENGE or BLOCK decision, keyed by user: a message the user can be
 * shown, and what an analyst needs. Never holds a raw device id or IP address.
 */
public record Alert(
    String paymentId,
    String user,
    Instant timestamp,
    Tier tier,
    String message,
    List<String> reasons,
    double score,
    double amount,
    String currency,
    String modelVersion) {}
