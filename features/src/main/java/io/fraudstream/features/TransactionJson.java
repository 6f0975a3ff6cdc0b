package io.fraudstream.features;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;

/**
 * Reads and writes the transaction event JSON described in DESIGN.md.
 *
 * <p>Reading never throws: every problem becomes a {@link ParsedTransaction.Invalid} with a reason
 * a person can act on. Unknown fields are ignored and never kept.
 */
public final class TransactionJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  private TransactionJson() {}

  /** Parses one record value. */
  public static ParsedTransaction parse(byte[] raw) {
    if (raw == null) {
      return new ParsedTransaction.Invalid(null, "record value is null (tombstone); expected a transaction JSON object");
    }
    String tooLarge = InputLimits.checkRecordSize(raw.length);
    if (tooLarge != null) {
      return new ParsedTransaction.Invalid(raw, tooLarge);
    }
    String notUtf8 = InputLimits.checkUtf8(raw);
    if (notUtf8 != null) {
      return new ParsedTransaction.Invalid(raw, notUtf8);
    }
    // A streaming parse: several times cheaper than building a tree, and this runs per payment.
    try (JsonParser json = MAPPER.getFactory().createParser(raw)) {
      JsonToken first = json.nextToken();
      if (first != JsonToken.START_OBJECT) {
        return new ParsedTransaction.Invalid(raw, "expected a JSON object, got " + (first == null ? "nothing" : kind(first)));
      }
      Transaction tx = readObject(json);
      if (json.nextToken() != null) {
        return new ParsedTransaction.Invalid(raw, "unexpected content after the JSON object");
      }
      return new ParsedTransaction.Valid(tx, raw);
    } catch (JsonProcessingException e) {
      return new ParsedTransaction.Invalid(raw, "not valid JSON: " + firstLine(e.getOriginalMessage()));
    } catch (IllegalArgumentException e) {
      return new ParsedTransaction.Invalid(raw, e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  private static Transaction readObject(JsonParser json) throws IOException {
    String id = null;
    Instant timestamp = null;
    String user = null;
    Double amount = null;
    String currency = null;
    String merchant = null;
    String category = null;
    String channel = null;
    String counterparty = null;
    String device = null;
    String ip = null;
    String country = null;
    Double lat = null;
    Double lon = null;
    Boolean label = null;
    ChallengeResult.Outcome challenge = null;
    while (json.nextToken() == JsonToken.FIELD_NAME) {
      String field = json.currentName();
      JsonToken value = json.nextToken();
      switch (field) {
        case "id" -> id = text(json, value, field, true);
        case "timestamp" -> timestamp = timestamp(json, value);
        case "user" -> user = text(json, value, field, true);
        case "amount" -> amount = amount(json, value);
        case "currency" -> currency = text(json, value, field, false);
        case "merchant" -> merchant = text(json, value, field, false);
        case "category" -> category = text(json, value, field, false);
        case "channel" -> channel = text(json, value, field, false);
        case "counterparty" -> counterparty = text(json, value, field, false);
        case "device" -> device = text(json, value, field, false);
        case "ip" -> ip = text(json, value, field, false);
        case "country" -> country = text(json, value, field, false);
        case "lat" -> lat = number(json, value, field);
        case "lon" -> lon = number(json, value, field);
        case "label" -> label = label(json, value);
        case "challenge" -> challenge = challenge(json, value);
        default -> json.skipChildren();
      }
    }
    requirePresent(id, "id");
    requirePresent(timestamp, "timestamp");
    requirePresent(user, "user");
    requirePresent(amount, "amount");
    return new Transaction(id, timestamp, user, amount, currency, merchant, category, channel, counterparty, device, ip,
        country, lat, lon, label, challenge);
  }

  private static void requirePresent(Object value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("missing required field '" + field + "'");
    }
  }

  /** Text, or a whole number taken as text (ids are often numeric); empty optional text is absent. */
  private static String text(JsonParser json, JsonToken value, String field, boolean required) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    boolean accepted = value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NUMBER_INT
        || (!required && value == JsonToken.VALUE_NUMBER_FLOAT);
    if (!accepted) {
      throw new IllegalArgumentException("field '" + field + "' must be a string, got " + kind(value));
    }
    String text = json.getText();
    return !required && text.isEmpty() ? null : text;
  }

  private static Double number(JsonParser json, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (!value.isNumeric()) {
      throw new IllegalArgumentException("field '" + field + "' must be a number, got " + kind(value));
    }
    return json.getDoubleValue();
  }

  private static Double amount(JsonParser json, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value.isNumeric()) {
      return json.getDoubleValue();
    }
    if (value == JsonToken.VALUE_STRING) {
      String text = json.getText().trim();
      // Double.parseDouble also takes "NaN", "0x1p3" and "8d"; an amount as text must read as a JSON number would.
      if (!DECIMAL.matcher(text).matches()) {
        throw new IllegalArgumentException("field 'amount' must be a number, got \"" + json.getText() + "\"");
      }
      return Double.parseDouble(text);
    }
    throw new IllegalArgumentException("field 'amount' must be a number, got " + kind(value));
  }

  /** How the payment's challenge ended, as a backfilled history says; {@code null} for none. */
  private static ChallengeResult.Outcome challenge(JsonParser json, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value == JsonToken.VALUE_STRING) {
      return ChallengeResult.Outcome.parse(json.getText());
    }
    json.skipChildren();
    throw new IllegalArgumentException("field 'challenge' must be passed, failed or abandoned, got " + kind(value));
  }

  private static Boolean label(JsonParser json, JsonToken value) throws IOException {
    switch (value) {
      case VALUE_NULL:
        return null;
      case VALUE_TRUE:
        return true;
      case VALUE_FALSE:
        return false;
      case VALUE_NUMBER_INT:
        if (json.getLongValue() == 0 || json.getLongValue() == 1) {
          return json.getLongValue() == 1;
        }
        break;
      default:
        json.skipChildren();
    }
    throw new IllegalArgumentException("field 'label' must be true/false or 0/1, got " + kind(value));
  }

  private static Instant timestamp(JsonParser json, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value == JsonToken.VALUE_NUMBER_INT) {
      if (json.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new IllegalArgumentException("field 'timestamp' is out of range: " + json.getText());
      }
      return InputLimits.epochMillis(json.getLongValue(), "timestamp");
    }
    if (value == JsonToken.VALUE_STRING) {
      return parseTimestamp(json.getText());
    }
    throw new IllegalArgumentException("field 'timestamp' must be ISO-8601 text or epoch milliseconds, got " + kind(value));
  }

  private static String kind(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "OBJECT";
      case START_ARRAY -> "ARRAY";
      case VALUE_TRUE, VALUE_FALSE -> "BOOLEAN";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "NUMBER";
      case VALUE_STRING -> "STRING";
      case VALUE_NULL -> "NULL";
      default -> token.toString();
    };
  }

  /**
   * Parses ISO-8601 with an offset ({@code 2024-05-01T12:00:00Z}, {@code ...+02:00}), ISO-8601
   * without one (read as UTC, as in the handbook dataset), or epoch milliseconds as ASCII digits,
   * within the bounds of {@link InputLimits}.
   */
  public static Instant parseTimestamp(String text) {
    String trimmed = text.trim();
    if (InputLimits.isAsciiDigits(trimmed)) {
      long millis;
      try {
        millis = Long.parseLong(trimmed);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("field 'timestamp' is out of range: " + trimmed);
      }
      return InputLimits.epochMillis(millis, "timestamp");
    }
    Instant common = CommonIsoTime.parse(trimmed);
    if (common != null) {
      return InputLimits.checkRange(common, "timestamp");
    }
    try {
      // Choose the parser by looking, not by failing: datasets of local times would otherwise
      // throw an exception on every row.
      Instant time = hasOffset(trimmed)
          ? OffsetDateTime.parse(trimmed).toInstant()
          : LocalDateTime.parse(trimmed.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
      return InputLimits.checkRange(time, "timestamp");
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "field 'timestamp' must be ISO-8601 (e.g. 2024-05-01T12:00:00Z) or epoch milliseconds, got \"" + text + "\"");
    }
  }

  /** Whether an ISO-8601 date-time carries a zone offset ({@code Z}, {@code +02:00}, {@code -0500}) after its time. */
  private static boolean hasOffset(String text) {
    int time = Math.max(text.indexOf('T'), text.indexOf(' '));
    if (time < 0) {
      return false;
    }
    for (int i = time + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 'Z' || c == 'z' || c == '+' || c == '-') {
        return true;
      }
    }
    return false;
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
      if (tx.challenge() != null) {
        json.writeStringField("challenge", tx.challenge().wireName());
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
