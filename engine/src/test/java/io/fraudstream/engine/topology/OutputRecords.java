package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;

/** Reading an output topic record by record, so that a record written twice cannot hide in a map. */
final class OutputRecords {

  private OutputRecords() {}

  /**
   * Every record {@code topic} holds now, by key, in the order written; fails naming each key
   * written more than once (a payment decided twice, a block placed twice).
   */
  static <V> Map<String, V> oncePerKey(TestOutputTopic<String, V> topic) {
    Map<String, V> byKey = new LinkedHashMap<>();
    Map<String, Integer> repeated = new TreeMap<>();
    for (TestRecord<String, V> record : topic.readRecordsToList()) {
      if (byKey.putIfAbsent(record.key(), record.value()) != null) {
        repeated.merge(record.key(), 2, (seen, one) -> seen + 1);
      }
    }
    if (!repeated.isEmpty()) {
      fail(repeated.size() + " keys written more than once, with how many records (the first ten): "
          + repeated.entrySet().stream().limit(10).toList());
    }
    return byKey;
  }
}
