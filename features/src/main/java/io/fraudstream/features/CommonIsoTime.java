package io.fraudstream.features;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Reads the two forms nearly every payment's time takes, {@code 2024-05-01T12:00:00.123Z} and
 * the datasets' {@code 2024-05-01 12:00:00} (read as UTC), without the JDK's date-time formatter,
 * which was 3 % of the payment application's Java samples in a profile of the production shape,
 * and which a replay of a dataset with ISO times meets at every row. Any other text, and any
 * field out of range, is left to the formatter, which reads it or says what is wrong
 * ({@code CommonIsoTimeTest} holds the two to the same answers).
 */
final class CommonIsoTime {

  private static final int[] SCALE = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

  private CommonIsoTime() {}

  /**
   * {@code text} as an instant, if it is {@code yyyy-MM-ddTHH:mm:ss} with an optional fraction of
   * one to nine digits and then {@code Z}, or the same without {@code Z} and with {@code T} or a
   * space between date and time; null otherwise.
   */
  static Instant parse(String text) {
    int length = text.length();
    boolean utc = length > 0 && text.charAt(length - 1) == 'Z';
    int end = utc ? length - 1 : length;
    if (end < 19 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(13) != ':' || text.charAt(16) != ':') {
      return null;
    }
    char between = text.charAt(10);
    if (between != 'T' && (utc || between != ' ')) {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    int nanos = 0;
    if (end > 19) {
      int fractionDigits = end - 20;
      if (text.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > SCALE.length) {
        return null;
      }
      int fraction = digits(text, 20, end);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction * SCALE[fractionDigits - 1];
    }
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /** The ASCII digits of {@code text} from {@code start} to {@code end} as a number; -1 if any is not one. */
  private static int digits(String text, int start, int end) {
    int value = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
