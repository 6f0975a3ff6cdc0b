package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Tier;
import java.time.Instant;
import java.util.List;

/**
 * A notification for a CHALLENGE or BLOCK decision, keyed by user: a message the user can be
 * shown, and what an analyst needs to look into it. Never holds a raw device id, IP address or
 * payee: the device appears only as its token, which matches the decisions and the blocks topic.
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
    String merchant,
    String device,
    String modelVersion,
    String rulesVersion) {}
