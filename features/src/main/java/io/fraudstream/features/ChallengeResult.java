package io.fraudstream.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;

/**
 * How a step-up verification of one payment ended, from the {@code challenge-results} topic keyed
 * by user: {@code {"payment_id":"p1","outcome":"passed","method":"otp","time":"..."}}. The method
 * is free text for reports only; it never changes what the result teaches.
 */
public record ChallengeResult(String paymentId, Outcome outcome, String method, Instant time) {

  /** The longest method accepted, in characters: a name such as {@code otp} or {@code biometric}, not a message. */
  public static final int MAX_METHOD_CHARS = 32;

  /** How a challenge ended. */
  public enum Outcome {
    /** The user proved who they are: the payment's device and payee become verified. */
    PASSED,
    /** The verification was answered wrongly: evidence of takeover. */
    FAILED,
    /** Nobody answered the verification before it expired. */
    ABANDONED;

    /** As written on the topic and in datasets: {@code passed}, {@code failed}, {@code abandoned}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The outcome written as {@code text} (any case, surrounding blanks ignored), or a message that lists the accepted ones. */
    public static Outcome parse(String text) {
      String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
      for (Outcome outcome : values()) {
        if (outcome.wireName().equals(wanted)) {
          return outcome;
        }
      }
      throw new IllegalArgumentException("challenge outcome must be passed, failed or abandoned, got '"
          + (text == null ? "" : text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
    }
  }

  public ChallengeResult {
    if (paymentId == null || paymentId.isBlank()) {
      throw new IllegalArgumentException("challenge result needs the 'payment_id' of the payment it verified");
    }
    InputLimits.checkField(paymentId, "payment_id");
    if (outcome == null) {
      throw new IllegalArgumentException("challenge result needs an 'outcome': passed, failed or abandoned");
    }
    if (method != null && method.length() > MAX_METHOD_CHARS) {
      throw new IllegalArgumentException("field 'method' is " + method.length() + " characters long; at most "
          + MAX_METHOD_CHARS + " are accepted (a name such as otp or biometric)");
    }
    if (time == null) {
      throw new IllegalArgumentException("challenge result needs the 'time' it ended");
    }
    InputLimits.checkRange(time, "time");
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reads a record value of the topic, or says what is wrong with it. */
  public static ChallengeResult parse(byte[] value) {
    if (value == null) {
      throw new IllegalArgumentException("challenge result value is null; expected "
          + "{\"payment_id\":...,\"outcome\":\"passed|failed|abandoned\",\"method\":...,\"time\":...}");
    }
    String tooLarge = InputLimits.checkRecordSize(value.length);
    if (tooLarge != null) {
      throw new IllegalArgumentException("challenge result " + tooLarge);
    }
    String notUtf8 = InputLimits.checkUtf8(value);
    if (notUtf8 != null) {
      throw new IllegalArgumentException("challenge result " + notUtf8);
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("challenge result is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("challenge result must be a JSON object");
    }
    JsonNode paymentId = node.path("payment_id");
    if (!paymentId.isTextual() && !paymentId.isIntegralNumber()) {
      throw new IllegalArgumentException("challenge result needs the 'payment_id' of the payment it verified, as text");
    }
    JsonNode outcome = node.path("outcome");
    if (!outcome.isTextual()) {
      throw new IllegalArgumentException("challenge result needs an 'outcome' as text: passed, failed or abandoned");
    }
    JsonNode method = node.path("method");
    if (!method.isMissingNode() && !method.isNull() && !method.isTextual()) {
      throw new IllegalArgumentException("challenge result 'method' must be text, such as otp or biometric");
    }
    JsonNode time = node.path("time");
    if (!time.isIntegralNumber() && !time.isTextual()) {
      throw new IllegalArgumentException("challenge result needs the 'time' it ended, as ISO-8601 text or epoch milliseconds");
    }
    Instant ended;
    try {
      ended = TransactionJson.parseTimestamp(time.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replace("field 'timestamp'", "field 'time'"), e);
    }
    return new ChallengeResult(paymentId.asText(), Outcome.parse(outcome.asText()), method.isTextual() ? method.asText() : null, ended);
  }

  /** The JSON form {@link #parse} reads. */
  public byte[] toJson() {
    var json = MAPPER.createObjectNode().put("payment_id", paymentId).put("outcome", outcome.wireName());
    if (method != null) {
      json.put("method", method);
    }
    json.put("time", time.toString());
    try {
      return MAPPER.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
