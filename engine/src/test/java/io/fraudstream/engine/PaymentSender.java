package io.fraudstream.engine;

import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sends payments to the transactions topic, keyed by user, and fails if the broker did not take one. */
final class PaymentSender {

  private PaymentSender() {}

  /**
   * A payment the broker never took must fail here, as a send, and not later as a decision the
   * engine seems to have lost.
   */
  static void send(String bootstrapServers, List<Transaction> payments) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      payments.forEach(tx -> sent.add(producer.send(new ProducerRecord<>("transactions", tx.user(), TransactionJson.write(tx)))));
    }
    for (Future<RecordMetadata> send : sent) {
      try {
        send.get();
      } catch (InterruptedException | ExecutionException e) {
        throw new AssertionError("a payment could not be sent: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Waits until a new producer can write to every partition of {@code probeTopic}, trying with a
   * fresh producer each time, and returns how long that took. After a broker's restart, a
   * producer made too early has been seen to hold its batches until they expire (120 s), although
   * the engine's own clients were working again.
   */
  static Duration awaitWritable(String bootstrapServers, String probeTopic, int partitions, Duration timeout) throws InterruptedException {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("delivery.timeout.ms", "10000");
    props.put("request.timeout.ms", "5000");
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
      try {
        List<Future<RecordMetadata>> probes = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
          probes.add(producer.send(new ProducerRecord<>(probeTopic, partition, "probe", new byte[0])));
        }
        for (Future<RecordMetadata> probe : probes) {
          probe.get();
        }
        return Duration.ofNanos(System.nanoTime() - start);
      } catch (ExecutionException e) {
        last = e;
      } finally {
        producer.close(Duration.ZERO);
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no new producer could write to " + probeTopic + " for " + timeout + ": " + last, last);
  }
}
