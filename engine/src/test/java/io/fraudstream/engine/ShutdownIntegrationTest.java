package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fraudstream run} in its own JVM, stopped by SIGTERM as a container runtime stops it. */
@Tag("broker")
class ShutdownIntegrationTest {

  @Test
  void shouldCommitAndFlushStateOnSigterm(@TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
      Path model = dir.resolve("model.bundle");
      TestModels.bundle().save(model);
      Path stateDir = dir.resolve("state");
      EngineProcess engine = EngineProcess.start("run", "--bootstrap-servers", broker.bootstrapServers(), "--model", model.toString(),
          "--state-dir", stateDir.toString(), "--hash-secret", new String(TestModels.SECRET, StandardCharsets.UTF_8), "--http-port", "-1");
      try {
        engine.awaitOutput("fraudstream is running", Duration.ofSeconds(90));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(50, 5, 2)).subList(0, 300);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
          payments.forEach(tx -> producer.send(new ProducerRecord<>("transactions", tx.user(), TransactionJson.write(tx))));
        }
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "shutdown-test");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> decided = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
          consumer.subscribe(List.of("decisions"));
          while (decided.size() < payments.size() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(record -> decided.add(record.key()));
          }
        }
        assertEquals(payments.size(), decided.size());
      } finally {
        engine.terminate();
      }
      // 143 = 128 + SIGTERM: the JVM's status for a process ended by the signal, after its shutdown hook ran.
      assertEquals(143, engine.awaitExit(Duration.ofSeconds(60)), engine.output());
      assertTrue(engine.output().contains("fraudstream engine stopped cleanly"), engine.output());
      // KafkaStreams.close() returned true: threads stopped, the last transaction committed and the
      // stores flushed and closed, within the 30 s the engine allows itself.
      assertTrue(!engine.output().contains(" ERROR "), engine.output());
    }
  }
}
