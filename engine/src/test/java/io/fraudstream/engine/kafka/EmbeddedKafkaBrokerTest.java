package io.fraudstream.engine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("broker")
class EmbeddedKafkaBrokerTest {

  @Test
  void shouldGiveDifferentPortsThatAreFreeToBind() throws Exception {
    int[] ports = EmbeddedKafkaBroker.freePorts(3);
    assertEquals(3, Arrays.stream(ports).distinct().count(), Arrays.toString(ports));
    for (int port : ports) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertEquals(port, socket.getLocalPort());
      }
    }
  }

  /**
   * The engine writes each decision with its payment's time, and tests and demos replay payments
   * from years ago. A broker with time-based retention deletes such records at its first check,
   * 30 s after it starts: decisions vanished from under a test's second reader. The scratch broker
   * keeps every record until it is closed. The check runs every half second here.
   */
  @Test
  void shouldKeepRecordsDatedLongAgo(@TempDir Path dir) throws Exception {
    int[] ports = EmbeddedKafkaBroker.freePorts(2);
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, true, ports[0], ports[1],
        Map.of("log.retention.check.interval.ms", "500", "log.initial.task.delay.ms", "0"))) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("decisions", 1, (short) 1))).all().get();
      }
      Properties props = new Properties();
      props.put("bootstrap.servers", broker.bootstrapServers());
      long longAgo = Instant.parse("2018-04-01T00:00:00Z").toEpochMilli();
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>("decisions", 0, longAgo + i, "payment-" + i, "ALLOW")).get();
        }
      }
      Thread.sleep(3_000);
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
        TopicPartition partition = new TopicPartition("decisions", 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        int read = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (read < 10 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            read++;
          }
        }
        assertEquals(0, consumer.beginningOffsets(List.of(partition)).get(partition), "the log start moved: records were deleted");
        assertEquals(10, read);
      }
    }
  }
}
