package io.fraudstream.features;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Reads and writes the transaction event JSON described in DESIGN.md.
 *
 * <p>Reading never throws: every problem becomes a {@link ParsedTransaction.Invalid} with a reason
 * a person can act on. Unknown fields are ignored and never kept.
 */
public final class TransactionJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TransactionJson() {}

  /** Parses one record value. */
  public static ParsedTransaction parse(byte[] raw) {
    if (raw == null) {
      return new ParsedTransaction.Invalid(null, "record value is null (tombstone); expected a transaction JSON object");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(raw);
    } catch (IOException e) {
      return new ParsedTransaction.Invalid(raw, "not valid JSON: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      return new ParsedTransaction.Invalid(raw, "expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
    }
    try {
      return new ParsedTransaction.Valid(fromNode(node), raw);
    } catch (IllegalArgumentException e) {
      return new ParsedTransaction.Invalid(raw, e.getMessage());
    }
  }

  /** Parses one record value, throwing {@link IllegalArgumentException} with the reason if invalid. */
  public static Transaction parseOrThrow(byte[] raw) {
    ParsedTransaction parsed = parse(raw);
    if (parsed instanceof ParsedTransaction.Invalid invalid) {
      throw new IllegalArgumentException(invalid.reason());
    }
    return ((ParsedTransaction.Valid) parsed).transaction();
  }

  private static Transaction fromNode(JsonNode node) {
    Transaction.Builder builder = new Transaction.Builder(
        requiredText(node, "id"), timestamp(node.get("timestamp")), requiredText(node, "user"), amount(node.get("amount")));
    return builder
        .currency(optionalText(node, "currency"))
        .merchant(optionalText(node, "merchant"))
        .category(optionalText(node, "category"))
        .channel(optionalText(node, "channel"))
        .counterparty(optionalText(node, "counterparty"))
        .device(optionalText(node, "device"))
        .ip(optionalText(node, "ip"))
        .country(optionalText(node, "country"))
        .location(optionalNumber(node, "lat"), optionalNumber(node, "lon"))
        .label(label(node.get("label")))
        .build();
  }

  private static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing required field '" + field + "'");
    }
    if (!value.isTextual() && !value.isIntegralNumber()) {
      throw new IllegalArgumentException("field '" + field + "' must be a string, got " + value.getNodeType());
    }
    return value.asText();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isValueNode() || value.isBoolean()) {
      throw new IllegalArgumentException("field '" + field + "' must be a string, got " + value.getNodeType());
    }
    String text = value.asText();
    return text.isEmpty() ? null : text;
  }

  private static Double optionalNumber(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber()) {
      throw new IllegalArgumentException("field '" + field + "' must be a number, got " + value.getNodeType());
    }
    return value.doubleValue();
  }

  private static double amount(JsonNode value) {
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing required field 'amount'");
    }
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isTextual()) {
      try {
        return Double.parseDouble(value.asText().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("field 'amount' must be a number, got \"" + value.asText() + "\"");
      }
    }
    throw new IllegalArgumentException("field 'amount' must be a number, got " + value.getNodeType());
  }

  private static Boolean label(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isIntegralNumber() && (value.intValue() == 0 || value.intValue() == 1)) {
      return value.intValue() == 1;
    }
    throw new IllegalArgumentException("field 'label' must be true/false or 0/1, got " + value);
  }

  private static Instant timestamp(JsonNode value) {
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing required field 'timestamp'");
    }
    if (value.isIntegralNumber()) {
      return Instant.ofEpochMilli(value.longValue());
    }
    if (value.isTextual()) {
      return parseTimestamp(value.asText());
    }
    throw new IllegalArgumentException("field 'timestamp' must be ISO-8601 text or epoch milliseconds, got " + value.getNodeType());
  }

  /**
   * Parses ISO-8601 with an offset ({@code 2024-05-01T12:00:00Z}, {@code ...+02:00}), ISO-8601
   * without one (read as UTC, as in the handbook dataset), or epoch milliseconds as digits.
   */
  public static Instant parseTimestamp(String text) {
    String trimmed = text.trim();
    if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit)) {
      try {
        return Instant.ofEpochMilli(Long.parseLong(trimmed));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("field 'timestamp' is out of range: " + trimmed);
      }
    }
    try {
      return OffsetDateTime.parse(trimmed).toInstant();
    } catch (DateTimeException ignored) {
      // Not offset-qualified: fall through to local date-time, read as UTC.
    }
    try {
      return LocalDateTime.parse(trimmed.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "field 'timestamp' must be ISO-8601 (e.g. 2024-05-01T12:00:00Z) or epoch milliseconds, got \"" + text + "\"");
    }
  }

  /** Writes a transaction as JSON, omitting absent optional fields. */
  public static byte[] write(Transaction tx) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("id", tx.id());
      json.writeStringField("timestamp", tx.timestamp().toString());
      json.writeStringField("user", tx.user());
      json.writeNumberField("amount", tx.amount());
      writeOptional(json, "currency", tx.currency());
      writeOptional(json, "merchant", tx.merchant());
      writeOptional(json, "category", tx.category());
      writeOptional(json, "channel", tx.channel());
      writeOptional(json, "counterparty", tx.counterparty());
      writeOptional(json, "device", tx.device());
      writeOptional(json, "ip", tx.ip());
      writeOptional(json, "country", tx.country());
      if (tx.lat() != null) {
        json.writeNumberField("lat", tx.lat());
        json.writeNumberField("lon", tx.lon());
      }
      if (tx.label() != null) {
        json.writeBooleanField("label", tx.label());
      }
      json.writeEndObject();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeOptional(JsonGenerator json, String field, String value) throws IOException {
    if (value != null) {
      json.writeStringField(field, value);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable input";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
