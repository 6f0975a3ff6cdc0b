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
  void shouldExplainWhatIsWrongWithBadRecords() {
    assertTrue(reason("not json").startsWith("not valid JSON"));
    assertTrue(reason("[1,2]").contains("expected a JSON object"));
    assertEquals("missing required field 'user'", reason("{\"id\":\"p\",\"timestamp\":1,\"amount\":1}"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":1,\"user\":\"u\",\"amount\":-3}").contains("amount must be a finite number >= 0"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":\"yesterday\",\"user\":\"u\",\"amount\":1}").contains("ISO-8601"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":1,\"user\":\"u\",\"amount\":\"ten\"}").contains("'amount' must be a number"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":1,\"user\":\"u\",\"amount\":1,\"lat\":10}").contains("lat and lon"));
    assertTrue(reason("{\"id\":\"p\",\"timestamp\":1,\"user\":\"u\",\"amount\":1,\"lat\":91,\"lon\":0}").contains("lat must be"));
    ParsedTransaction.Invalid tombstone = assertInstanceOf(ParsedTransaction.Invalid.class, TransactionJson.parse(null));
    assertNull(tombstone.raw());
  }

  @Test
  void shouldRoundTripThroughWrite() {
    Transaction tx = Transaction.of("p9", Instant.parse("2024-05-01T12:00:00.123Z"), "u9", 99.99).toBuilder()
        .device("dev").location(1.5, -2.25).label(false).build();
    assertEquals(tx, TransactionJson.parseOrThrow(TransactionJson.write(tx)));
  }
}
