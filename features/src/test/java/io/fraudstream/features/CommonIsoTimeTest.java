package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CommonIsoTimeTest {

  @Test
  void shouldReadTheCommonFormsAsTheJdkReadsThem() {
    assertEquals(Instant.parse("2024-05-01T12:00:00Z"), CommonIsoTime.parse("2024-05-01T12:00:00Z"));
    assertEquals(Instant.parse("2024-05-01T12:00:00.123Z"), CommonIsoTime.parse("2024-05-01T12:00:00.123Z"));
    assertEquals(Instant.parse("2024-02-29T23:59:59.999999999Z"), CommonIsoTime.parse("2024-02-29 23:59:59.999999999"));
    assertEquals(Instant.parse("2018-04-01T00:00:31Z"), CommonIsoTime.parse("2018-04-01 00:00:31"));
    assertEquals(Instant.parse("2018-04-01T00:00:31Z"), CommonIsoTime.parse("2018-04-01T00:00:31"), "a local time with T, read as UTC");
  }

  @Test
  void shouldLeaveEveryOtherFormAndEveryFieldOutOfRangeToTheFormatter() {
    for (String other : List.of("2024-05-01T12:00Z", "2024-05-01T12:00:00+02:00", "2024-05-01t12:00:00z", "2024-05-01 12:00:00Z",
        "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:60Z", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00.1234567890Z", "+2024-05-01T12:00:00Z",
        "١٩٧٠-01-01T00:00:00Z", "")) {
      assertNull(CommonIsoTime.parse(other), other);
    }
  }

  /** Times near the common forms and broken in every place: read alike, or left to the formatter, which refuses them. */
  @Test
  void shouldNeverReadATimeOtherwiseThanTheJdk() {
    Random random = new Random(11);
    String alphabet = "0123456789-:.T Zz+";
    for (int i = 0; i < 200_000; i++) {
      String text = String.format("%04d-%02d-%02d%s%02d:%02d:%02d%s%s", random.nextInt(2_101), random.nextInt(14), random.nextInt(33),
          random.nextInt(10) == 0 ? " " : "T", random.nextInt(26), random.nextInt(62), random.nextInt(62),
          random.nextBoolean() ? "" : "." + Long.toString(Math.abs(random.nextLong())).substring(0, 1 + random.nextInt(10)),
          random.nextInt(4) == 0 ? "" : "Z");
      if (random.nextInt(5) == 0) {
        char[] chars = text.toCharArray();
        chars[random.nextInt(chars.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
        text = new String(chars);
      }
      Instant common = CommonIsoTime.parse(text);
      if (common != null) {
        assertEquals(jdk(text), common, text);
      }
    }
  }

  /** How {@link TransactionJson#parseTimestamp} reads ISO-8601 text with the JDK alone; null where it refuses it. */
  private static Instant jdk(String text) {
    try {
      boolean offset = text.substring(Math.max(0, Math.max(text.indexOf('T'), text.indexOf(' ')))).matches(".*[Zz+\\-].*");
      return offset ? OffsetDateTime.parse(text).toInstant() : LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
