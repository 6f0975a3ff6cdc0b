package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.function.ObjLongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Feeds the demo's payments to the transactions topic at a steady rate, keyed by user, with two
 * malformed records among them and each fraud's label on the labels topic right after it, as a
 * case system would confirm it.
 */
final class DemoFeeder {

  /** Two unreadable records show that bad input is diverted, not dropped, and not fatal. */
  private static final List<byte[]> MALFORMED = List.of("{\"id\":\"broken-1\",\"user\":".getBytes(StandardCharsets.UTF_8),
      "{\"id\":\"broken-2\",\"timestamp\":\"2024-01-05T10:00:00Z\",\"user\":\"u00001\",\"amount\":-20}".getBytes(StandardCharsets.UTF_8));

  /** What was sent, and when the feed began and ended (System.nanoTime). */
  record Fed(long valid, long malformed, long firstSendNanos, long lastSendNanos) {}

  private final EngineConfig config;
  private final int rate;
  private final PrintStream out;

  DemoFeeder(EngineConfig config, int rate, PrintStream out) {
    this.config = config;
    this.rate = rate;
    this.out = out;
  }

  /** Sends {@code payments} in order, telling {@code sent} of each payment and its send time just before it goes. */
  Fed feed(List<Transaction> payments, ObjLongConsumer<Transaction> sent) {
    Properties props = config.clientProperties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    String topic = config.topics().transactions();
    ProgressBar progress = new ProgressBar(out, "   sent", payments.size());
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < payments.size(); i++) {
        Transaction tx = payments.get(i);
        Pacing.awaitTurn(start, i, rate);
        if (i == payments.size() / 3 || i == 2 * payments.size() / 3) {
          producer.send(new ProducerRecord<>(topic, tx.user(), MALFORMED.get(i == payments.size() / 3 ? 0 : 1)));
        }
        sent.accept(tx, System.nanoTime());
        producer.send(new ProducerRecord<>(topic, tx.user(), TransactionJson.write(tx)));
        if (Boolean.TRUE.equals(tx.label())) {
          // Entity risk counts it only once it is older than the label delay. Stamped with the
          // payment's time: the label join ages labels by its stream time, and a label of this
          // history stamped now would look years old and judge nothing.
          producer.send(new ProducerRecord<>(config.topics().labels(), null, tx.timestamp().toEpochMilli(), tx.id(),
              new PaymentLabel(tx.id(), true, tx.merchant(), tx.device(), tx.timestamp()).toJson()));
        }
        progress.update(i + 1);
      }
      producer.flush();
    }
    return new Fed(payments.size(), MALFORMED.size(), start, System.nanoTime());
  }
}
