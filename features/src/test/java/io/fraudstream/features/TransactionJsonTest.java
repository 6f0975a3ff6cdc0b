package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransactionJsonTest {

  private static ParsedTransaction parse(String json) {
    return TransactionJson.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String reason(String json) {
    return assertInstanceOf(ParsedTransaction.Invalid.class, parse(json)).reason();
  }

  @Test
  void shouldReadAllFieldsAndIgnoreUnknownOnes() {
    Transaction tx = assertInstanceOf(ParsedTransaction.Valid.class, parse("""
        {"id":"p1","timestamp":"2024-05-01T12:00:00Z","user":"u1","amount":12.5,"currency":"EUR",
         "merchant":"m1","category":"food","channel":"app","counterparty":"c1","device":"d1","ip":"10.0.0.1",
         "country":"BE","lat":50.8,"lon":4.35,"label":1,"shoeSize":44}""")).transaction();
    assertEquals("p1", tx.id());
    assertEquals(Instant.parse("2024-05-01T12:00:00Z"), tx.timestamp());
    assertEquals(12.5, tx.amount());
    assertEquals("d1", tx.device());
    assertEquals(50.8, tx.lat());
    assertEquals(Boolean.TRUE, tx.label());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"2024-05-01T14:00:00+02:00\"|2024-05-01T12:00:00Z",
      "\"2024-05-01 12:00:00\"|2024-05-01T12:00:00Z",
      "1714564800000|2024-05-01T12:00:00Z",
      "\"1714564800000\"|2024-05-01T12:00:00Z"})
  void shouldAcceptIsoAndEpochMillisTimestamps(String timestamp, String expected) {
    Transaction tx = TransactionJson.parseOrThrow(
        ("{\"id\":\"p\",\"timestamp\":" + timestamp + ",\"user\":\"u\",\"amount\":1}").getBytes(StandardCharsets.UTF_8));
    assertEquals(Instant.parse(expected), tx.timestamp());
  }

  @Test
  void shouldCarryAChallengeOutcomeForBackfilledHistory() {
    Transaction tx = Transaction.of("p1", Instant.parse("2024-05-01T12:00:00Z"), "u1", 5).toBuilder().label(false)
        .challenge(ChallengeResult.Outcome.ABANDONED).build();
    assertEquals(tx, assertInstanceOf(ParsedTransaction.Valid.class, TransactionJson.parse(TransactionJson.write(tx))).transaction());
    String base = "{\"id\":\"p1\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"user\":\"u1\",\"amount\":5";
    assertNull(assertInstanceOf(ParsedTransaction.Valid.class, parse(base + ",\"challenge\":null}")).transaction().challenge());
    assertTrue(reason(base + ",\"challenge\":\"maybe\"}").contains("got 'maybe'"));
    assertTrue(reason(base + ",\"challenge\":[1]}").contains("field 'challenge' must be passed, failed or abandoned"));
  }

  @Test
  void shouldExplainWhatIsWrongWithBadRecords() {
    assertTrue(reason("not json").startsWith("not valid JSON"));
    assertTrue(reason("[1,2]").contains("expected a JSON object"));
    assertEquals("missing required field 'user'", reason("{\"id\":\"p\",\"timestamp\":1714564800000,\"amount\":1}"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":-3}").contains("amount must be a finite number >= 0"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":\"yesterday\",\"user\":\"u\",\"amount\":1}").contains("ISO-8601"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":\"ten\"}").contains("'amount' must be a number"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":1,\"lat\":10}").contains("lat and lon"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":1,\"lat\":91,\"lon\":0}").contains("lat must be"));
    ParsedTransaction.Invalid tombstone = assertInstanceOf(ParsedTransaction.Invalid.class, TransactionJson.parse(null));
    assertNull(tombstone.raw());
  }

  private static String withTimestamp(String timestamp) {
    return "{\"id\":\"p\",\"timestamp\":" + timestamp + ",\"user\":\"u\",\"amount\":1}";
  }

  @Test
  void shouldRefuseTimestampsOutsideWhatKafkaCanCarryOrThatCanOnlyBeSeconds() {
    assertTrue(reason(withTimestamp("1762077600")).contains("looks like epoch seconds (2025-11-02T10:00:00Z): send 1762077600000"));
    assertTrue(reason(withTimestamp("\"1762077600\"")).contains("looks like epoch seconds"));
    assertTrue(reason(withTimestamp("12")).contains("before the earliest accepted"));
    assertTrue(reason(withTimestamp("-1")).contains("before 1970"));
    assertTrue(reason(withTimestamp("\"1969-12-31T23:59:59Z\"")).contains("before 1970"));
    assertTrue(reason(withTimestamp("\"+999999999-12-31T23:59:59Z\"")).contains("after 9999-12-31"));
    assertTrue(reason(withTimestamp("99999999999999999999")).contains("out of range"));
    assertTrue(reason(withTimestamp("\"99999999999999999999\"")).contains("out of range"));
    assertTrue(reason(withTimestamp("9223372036854775807")).contains("after 9999-12-31"));
    // Full-width digits are digits to Character.isDigit and Long.parseLong, but not numbers here.
    assertTrue(reason(withTimestamp("\"\uFF11\uFF17\uFF11\uFF14\uFF15\uFF16\uFF14\uFF18\uFF10\uFF10\uFF10\uFF10\uFF10\"")).contains("ISO-8601"));
    assertEquals(Instant.parse("1973-03-03T09:46:40Z"), TransactionJson.parseOrThrow(withTimestamp("100000000000").getBytes(StandardCharsets.UTF_8)).timestamp());
    assertEquals(InputLimits.LATEST, TransactionJson.parseOrThrow(withTimestamp("\"9999-12-31T23:59:59.999Z\"").getBytes(StandardCharsets.UTF_8)).timestamp());
  }

  @Test
  void shouldRefuseMalformedUtf8EvenWhereJacksonWouldDecodeIt() {
    byte[] overlong = "{\"id\":\"p__\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":1}".getBytes(StandardCharsets.UTF_8);
    overlong[8] = (byte) 0xC0;
    overlong[9] = (byte) 0xAF;
    assertEquals("record is not well-formed UTF-8", assertInstanceOf(ParsedTransaction.Invalid.class, TransactionJson.parse(overlong)).reason());
    assertEquals("Café ☕", TransactionJson.parseOrThrow(
        "{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":1,\"merchant\":\"Café ☕\"}".getBytes(StandardCharsets.UTF_8)).merchant());
  }

  @Test
  void shouldReadAmountsAsTextOnlyInJsonNumberForm() {
    for (String bad : new String[] {"\"NaN\"", "\"Infinity\"", "\"0x1p3\"", "\"8d\"", "\"\uFF18\"", "\"1e400\"", "1e400"}) {
      String json = "{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":" + bad + "}";
      assertInstanceOf(ParsedTransaction.Invalid.class, parse(json), bad);
    }
    assertEquals(1250.0, TransactionJson.parseOrThrow(
        "{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":\" 1.25e3 \"}".getBytes(StandardCharsets.UTF_8)).amount());
  }

  @Test
  void shouldRefuseRecordsAndFieldsOverTheLimitsAndAcceptThemAtTheLimits() {
    String atLimit = "m".repeat(InputLimits.MAX_FIELD_CHARS);
    String json = "{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":1,\"merchant\":\"%s\"}";
    assertEquals(atLimit, TransactionJson.parseOrThrow(String.format(json, atLimit).getBytes(StandardCharsets.UTF_8)).merchant());
    assertEquals("field 'merchant' is 257 characters long; at most 256 are accepted", reason(String.format(json, atLimit + "m")));
    String user = "{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"%s\",\"amount\":1}";
    assertTrue(reason(String.format(user, "u".repeat(600_000))).startsWith("record is 6000"));
    assertTrue(reason(String.format(user, "u".repeat(300))).contains("field 'user' is 300 characters long"));
    // Unknown fields count toward the record's size only.
    String padded = "{\"id\":\"p\",\"timestamp\":1714564800000,\"user\":\"u\",\"amount\":1,\"pad\":\"%s\"}";
    int overhead = String.format(padded, "").length();
    assertInstanceOf(ParsedTransaction.Valid.class, parse(String.format(padded, "x".repeat(InputLimits.MAX_RECORD_BYTES - overhead))));
    assertEquals("record is 65537 bytes; at most 65536 are accepted",
        reason(String.format(padded, "x".repeat(InputLimits.MAX_RECORD_BYTES - overhead + 1))));
  }

  @Test
  void shouldRoundTripThroughWrite() {
    Transaction tx = Transaction.of("p9", Instant.parse("2024-05-01T12:00:00.123Z"), "u9", 99.99).toBuilder()
        .device("dev").location(1.5, -2.25).label(false).build();
    assertEquals(tx, TransactionJson.parseOrThrow(TransactionJson.write(tx)));
  }
}
