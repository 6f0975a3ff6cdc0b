package io.fraudstream.engine.topology;

import io.fraudstream.features.InputLimits;
import io.fraudstream.features.streams.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;

/**
 * What every dead letter carries, whichever path sent it (the topology's split of unreadable
 * records, or Kafka Streams' exception handlers): the record's bytes, bounded so that the dead
 * letter itself always fits the topic, and headers saying why and where it came from.
 */
final class DeadLetters {

  private static final int MAX_REASON_CHARS = 1_000;

  private DeadLetters() {}

  /**
   * Adds the reason and origin headers to {@code headers}, and returns the value to write: the raw
   * bytes, or their first {@link InputLimits#MAX_RECORD_BYTES} with a header giving the full size.
   * The original stays on its topic at the partition and offset named.
   */
  static byte[] describe(Headers headers, byte[] raw, String reason, String topic, int partition, long offset) {
    // A reason may quote the record; it is bounded like everything else a dead letter carries.
    headers.add(DeadLetterHeaders.REASON, utf8(reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS) + "…"));
    if (topic != null) {
      headers.add(DeadLetterHeaders.TOPIC, utf8(topic));
      headers.add(DeadLetterHeaders.PARTITION, utf8(Integer.toString(partition)));
      headers.add(DeadLetterHeaders.OFFSET, utf8(Long.toString(offset)));
    }
    if (raw != null && raw.length > InputLimits.MAX_RECORD_BYTES) {
      headers.add(DeadLetterHeaders.TRUNCATED_FROM, utf8(Integer.toString(raw.length)));
      return Arrays.copyOf(raw, InputLimits.MAX_RECORD_BYTES);
    }
    return raw;
  }

  /** A key bounded like a field, so that a dead letter of a record with a huge key still fits. */
  static String boundedKey(String key) {
    return key == null || key.length() <= InputLimits.MAX_FIELD_CHARS ? key : key.substring(0, InputLimits.MAX_FIELD_CHARS);
  }

  /** The same for a key still in bytes. */
  static byte[] boundedKey(byte[] key) {
    return key == null || key.length <= InputLimits.MAX_FIELD_CHARS * 4 ? key : Arrays.copyOf(key, InputLimits.MAX_FIELD_CHARS * 4);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
