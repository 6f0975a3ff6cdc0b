package io.fraudstream.engine;

import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
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
}
