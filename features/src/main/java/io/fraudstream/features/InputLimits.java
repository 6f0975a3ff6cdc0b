package io.fraudstream.features;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The fixed limits of the input contract: what a record read from any topic, or a row read from a
 * dataset, may hold before it is refused with a reason. They sit well below what every topic a
 * record can reach accepts (Kafka's default {@code max.request.size} and {@code message.max.bytes}
 * are about 1 MiB), so that an accepted record can never grow into one a topic refuses.
 *
 * <p>The window of accepted payment times around the engine's clock is configured in the engine;
 * these are the bounds no configuration can widen: Kafka cannot carry a time before 1970, and a
 * time past year 9999 cannot be written back as ISO-8601.
 */
public final class InputLimits {

  /** The largest record value accepted on any input topic, in bytes. */
  public static final int MAX_RECORD_BYTES = 64 * 1024;
  /** The longest text field (and record key) accepted, in characters. */
  public static final int MAX_FIELD_CHARS = 256;
  public static final Instant EARLIEST = Instant.EPOCH;
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
  /**
   * Epoch values below this (1973-03-03 as milliseconds) are refused: as milliseconds they
   * predate every payment system that could send them, and they are what epoch seconds look like.
   */
  static final long SMALLEST_EPOCH_MILLIS = 100_000_000_000L;

  private InputLimits() {}

  /** Why a record value of {@code bytes} bytes is refused, or null if its size is accepted. */
  public static String checkRecordSize(int bytes) {
    return bytes > MAX_RECORD_BYTES
        ? "record is " + bytes + " bytes; at most " + MAX_RECORD_BYTES + " are accepted" : null;
  }

  /**
   * Why a record value is not well-formed UTF-8, or null if it is. Jackson decodes overlong forms
   * (such as {@code C0 AF} for '/') without complaint, which lets an identifier pass for another
   * in systems that compare bytes; such records are refused. Pure ASCII, the usual case, costs one
   * pass over the bytes.
   */
  public static String checkUtf8(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        try {
          StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
          return null;
        } catch (CharacterCodingException e) {
          return "record is not well-formed UTF-8";
        }
      }
    }
    return null;
  }

  /** Why a record key is refused, or null if it is accepted (a missing key is the caller's to judge). */
  public static String checkKey(String key) {
    return key != null && key.length() > MAX_FIELD_CHARS
        ? "record key is " + key.length() + " characters; at most " + MAX_FIELD_CHARS + " are accepted" : null;
  }

  /** Throws with the reason when a text field is longer than {@link #MAX_FIELD_CHARS}. */
  static void checkField(String value, String field) {
    if (value != null && value.length() > MAX_FIELD_CHARS) {
      throw new IllegalArgumentException("field '" + field + "' is " + value.length() + " characters long; at most "
          + MAX_FIELD_CHARS + " are accepted");
    }
  }

  /** An epoch value in milliseconds as an instant, refusing values that can only be seconds or are out of range. */
  static Instant epochMillis(long millis, String field) {
    if (millis < 0) {
      throw new IllegalArgumentException("field '" + field + "' is " + millis + ", before 1970-01-01T00:00:00Z; "
          + "Kafka cannot carry such a time");
    }
    if (millis < SMALLEST_EPOCH_MILLIS) {
      String reason = "field '" + field + "' is " + millis + ", which as epoch milliseconds is " + Instant.ofEpochMilli(millis)
          + ", before the earliest accepted (1973-03-03T09:46:40Z); timestamps are epoch milliseconds";
      if (millis >= 1_000_000_000L) {
        reason += ", and this looks like epoch seconds (" + Instant.ofEpochSecond(millis) + "): send " + millis * 1000;
      }
      throw new IllegalArgumentException(reason);
    }
    return checkRange(Instant.ofEpochMilli(millis), field);
  }

  /** Refuses instants outside {@link #EARLIEST} .. {@link #LATEST}. */
  static Instant checkRange(Instant time, String field) {
    if (time.isBefore(EARLIEST)) {
      throw new IllegalArgumentException("field '" + field + "' is " + time + ", before 1970-01-01T00:00:00Z; "
          + "Kafka cannot carry such a time");
    }
    if (time.isAfter(LATEST)) {
      throw new IllegalArgumentException("field '" + field + "' is after " + LATEST);
    }
    return time;
  }

  /** Whether {@code text} is one or more ASCII digits; other scripts' digits are not numbers here. */
  static boolean isAsciiDigits(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
