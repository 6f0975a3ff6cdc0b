package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionSerde;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on a real in-process KRaft broker on 127.0.0.1, under exactly-once. */
@Tag("broker")
class EngineIntegrationTest {

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.startTemporary();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void shouldWriteOneCommittedDecisionPerTransaction(@TempDir Path stateDir) {
    EngineConfig config = EngineConfig.defaults(broker.bootstrapServers(), stateDir, new String(TestModels.SECRET, StandardCharsets.UTF_8));
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(200, 20, 3)).subList(0, 5_000);
    try (FraudEngine engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60))) {
      Properties producerProps = config.clientProperties();
      producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      try (KafkaProducer<String, Transaction> producer =
               new KafkaProducer<>(producerProps, new StringSerializer(), TransactionSerde.transactionSerializer())) {
        payments.forEach(tx -> producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), tx)));
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer())) {
          raw.send(new ProducerRecord<>(config.topics().transactions(), "u00001", "{broken".getBytes(StandardCharsets.UTF_8)));
        }
      }

      Map<String, Integer> seen = new HashMap<>();
      int deadLetters = 0;
      Properties consumerProps = config.clientProperties();
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "integration-test-reader");
      consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(config.topics().decisions(), config.topics().deadLetters()));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long quietUntil = Long.MAX_VALUE;
        // Read until all decisions are in, then a little longer to catch any duplicate.
        while (System.nanoTime() < Math.min(deadline, quietUntil)) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            if (record.topic().equals(config.topics().deadLetters())) {
              deadLetters++;
            } else {
              seen.merge(record.key(), 1, Integer::sum);
            }
          }
          if (seen.size() == payments.size() && deadLetters == 1 && quietUntil == Long.MAX_VALUE) {
            quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
          }
        }
      }
      Set<String> expected = new HashSet<>();
      payments.forEach(tx -> expected.add(tx.id()));
      assertEquals(expected, seen.keySet());
      assertTrue(seen.values().stream().allMatch(count -> count == 1), "duplicate decisions");
      assertEquals(1, deadLetters);
    }
  }
}
