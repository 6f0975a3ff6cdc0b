package io.fraudstream.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;

/**
 * Confirmed outcome of a past payment, from the {@code labels} topic keyed by payment id. It
 * names the payment's time and, when known, its merchant and device, so that the engine need not
 * remember every payment to attribute a label to them. The device is replaced by its token
 * ({@link IdentifierHasher#token}) before the label goes anywhere.
 */
public record PaymentLabel(String paymentId, boolean fraud, String merchant, String device, Instant paymentTime) {

  public PaymentLabel {
    InputLimits.checkField(paymentId, "payment id");
    InputLimits.checkField(merchant, "merchant");
    InputLimits.checkField(device, "device");
    InputLimits.checkRange(paymentTime, "timestamp");
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reads {@code {"fraud":true,"merchant":"m1","device":"d1","timestamp":"..."}}, or says what is wrong. */
  public static PaymentLabel parse(String paymentId, byte[] value) {
    if (paymentId == null || paymentId.isBlank()) {
      throw new IllegalArgumentException("label without a payment id: key labels by payment id");
    }
    if (value == null) {
      throw new IllegalArgumentException("label value is null; expected {\"fraud\":true|false,\"merchant\":...,\"timestamp\":...}");
    }
    String tooLarge = InputLimits.checkRecordSize(value.length);
    if (tooLarge != null) {
      throw new IllegalArgumentException("label " + tooLarge);
    }
    String notUtf8 = InputLimits.checkUtf8(value);
    if (notUtf8 != null) {
      throw new IllegalArgumentException("label " + notUtf8);
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("label is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (node == null || !node.isObject() || !node.path("fraud").isBoolean()) {
      throw new IllegalArgumentException("label needs a boolean 'fraud'");
    }
    JsonNode time = node.path("timestamp");
    if (time.isMissingNode() || time.isNull()) {
      throw new IllegalArgumentException("label needs the payment's 'timestamp'");
    }
    if (!time.isIntegralNumber() && !time.isTextual()) {
      throw new IllegalArgumentException("label 'timestamp' must be ISO-8601 text or epoch milliseconds");
    }
    // Integers as their digits, so that one parser applies the contract's limits to both forms.
    Instant paymentTime = TransactionJson.parseTimestamp(time.asText());
    return new PaymentLabel(paymentId, node.path("fraud").booleanValue(), identifier(node, "merchant"), identifier(node, "device"), paymentTime);
  }

  private static String identifier(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() || value.isIntegralNumber() ? value.asText() : null;
  }

  /** The same label with its device replaced by the device's token. */
  public PaymentLabel pseudonymise(IdentifierHasher hasher) {
    return device == null || IdentifierHasher.isToken(device) ? this
        : new PaymentLabel(paymentId, fraud, merchant, hasher.token(device), paymentTime);
  }

  /** Reads the form written by {@link #toJson()}, which names its payment. */
  public static PaymentLabel fromJson(byte[] value) {
    try {
      return parse(MAPPER.readTree(value).path("paymentId").asText(null), value);
    } catch (IOException e) {
      throw new IllegalArgumentException("label is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** The JSON form: the fields {@link #parse} reads, plus the payment id. */
  public byte[] toJson() {
    var json = MAPPER.createObjectNode().put("paymentId", paymentId).put("fraud", fraud).put("timestamp", paymentTime.toString());
    if (merchant != null) {
      json.put("merchant", merchant);
    }
    if (device != null) {
      json.put("device", device);
    }
    try {
      return MAPPER.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
