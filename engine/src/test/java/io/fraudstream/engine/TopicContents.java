package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What a topic holds now, every committed record from its start to its end, read without a group. */
final class TopicContents {

  private TopicContents() {}

  /** Every committed record of {@code topic}, partition by partition, in offset order. */
  static List<ConsumerRecord<String, byte[]>> readAll(Properties clientProperties, String topic) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
        assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end in 30 s");
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Every value {@code topic} holds under {@code key}, in order; null for a tombstone. */
  static List<byte[]> valuesOf(Properties clientProperties, String topic, String key) {
    return readAll(clientProperties, topic).stream().filter(record -> key.equals(record.key())).map(ConsumerRecord::value).toList();
  }
}
