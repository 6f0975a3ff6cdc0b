package io.fraudstream.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The engine's answer: the decision, or the fallback tier when no decision came in time
 * ({@code fallback} true; then the decision is still made and recorded on the decisions topic).
 *
 * @param tier ALLOW, CHALLENGE or BLOCK
 * @param score the model's fraud score, or null in a fallback
 * @param alert what the alert tells the user (CHALLENGE and BLOCK), or null
 * @param block the block this decision places on the user (entity, reason, blockedAt, expiresAt), or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Answer(
    String paymentId,
    String tier,
    Double score,
    List<String> reasons,
    boolean fallback,
    String alert,
    Map<String, Object> block,
    String modelVersion,
    String rulesVersion,
    Instant decidedAt) {

  /** The fallback the client itself gives when no engine answered in time. */
  static Answer fallback(String paymentId, String tier, String why) {
    return new Answer(paymentId, tier, null, List.of(why), true, null, null, null, null, null);
  }
}
