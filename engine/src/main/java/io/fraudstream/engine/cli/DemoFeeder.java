package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Feeds the demo's payments to the transactions topic at a steady rate, keyed by user, with two
 * malformed records among them and each fraud's label on the labels topic right after it, as a
 * case system would confirm it. The payments of a tenth of the users go through the decide
 * endpoint instead, as a payment service asking inline would send them, and each answer is timed
 * from when the payment was due.
 */
final class DemoFeeder {

  /** Two unreadable records show that bad input is diverted, not dropped, and not fatal. */
  private static final List<byte[]> MALFORMED = List.of("{\"id\":\"broken-1\",\"user\":".getBytes(StandardCharsets.UTF_8),
      "{\"id\":\"broken-2\",\"timestamp\":\"2024-01-05T10:00:00Z\",\"user\":\"u00001\",\"amount\":-20}".getBytes(StandardCharsets.UTF_8));

  /**
   * What was sent, and when the feed began and ended (System.nanoTime); the sorted request-to-answer
   * times of the payments sent through the decide endpoint, and how many of those were fallbacks.
   */
  record Fed(long valid, long malformed, long firstSendNanos, long lastSendNanos, List<long[]> sentAndAnswerMicros, long fallbacks) {

    /** The sorted request-to-answer times of the payments sent through the decide endpoint from {@code sentFromNanos} on. */
    long[] answerMicros(long sentFromNanos) {
      return sentAndAnswerMicros.stream().filter(sentAndMicros -> sentAndMicros[0] >= sentFromNanos)
          .mapToLong(sentAndMicros -> sentAndMicros[1]).sorted().toArray();
    }
  }

  /** Connections to the decide endpoint: as many payments wait for their answer at once, at most. */
  private static final int CONNECTIONS = 32;

  /** The payment is the decide endpoint's: a tenth of the users, all of their payments, so that each user's stay in order. */
  static boolean throughEndpoint(Transaction tx) {
    return Math.floorMod(tx.user().hashCode(), 10) == 0;
  }

  /** Sends a payment, telling whether it went through the decide endpoint. */
  interface Sent {
    void accept(Transaction tx, long nanos, boolean throughEndpoint);
  }

  private final EngineConfig config;
  private final int rate;
  private final PrintStream out;

  DemoFeeder(EngineConfig config, int rate, PrintStream out) {
    this.config = config;
    this.rate = rate;
    this.out = out;
  }

  /**
   * Sends {@code payments} in order, telling {@code sent} of each payment and its send time just
   * before it goes; those of {@link #throughEndpoint} users are posted to {@code decide}, unless it is null.
   */
  Fed feed(List<Transaction> payments, Sent sent, URI decide) throws IOException, InterruptedException {
    Properties props = config.clientProperties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    String topic = config.topics().transactions();
    ProgressBar progress = new ProgressBar(out, "   sent", payments.size());
    long[] sentAt = new long[payments.size()];
    Queue<long[]> answers = new ConcurrentLinkedQueue<>();
    AtomicLong fallbacks = new AtomicLong();
    Queue<String> refused = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
         HttpLoad endpoint = decide == null ? null : new HttpLoad(decide, CONNECTIONS, "", (i, status, body, now) -> {
           answers.add(new long[] {sentAt[i], (now - sentAt[i]) / 1_000});
           if (status != 200) {
             refused.add(status + " " + body);
           } else if (body.contains("\"fallback\":true")) {
             fallbacks.incrementAndGet();
           }
         })) {
      for (int i = 0; i < payments.size(); i++) {
        Transaction tx = payments.get(i);
        Pacing.awaitTurn(start, i, rate);
        if (i == payments.size() / 3 || i == 2 * payments.size() / 3) {
          producer.send(new ProducerRecord<>(topic, tx.user(), MALFORMED.get(i == payments.size() / 3 ? 0 : 1)));
        }
        boolean asked = endpoint != null && throughEndpoint(tx);
        sentAt[i] = System.nanoTime();
        sent.accept(tx, sentAt[i], asked);
        if (asked) {
          endpoint.send(i, TransactionJson.write(tx), sentAt[i]);
        } else {
          producer.send(new ProducerRecord<>(topic, tx.user(), TransactionJson.write(tx)));
        }
        if (Boolean.TRUE.equals(tx.label())) {
          // Entity risk counts it only once it is older than the label delay; the engine reads its
          // time from its value, so the record carries the time it was sent.
          producer.send(new ProducerRecord<>(config.topics().labels(), tx.id(),
              new PaymentLabel(tx.id(), true, tx.merchant(), tx.device(), tx.timestamp()).toJson()));
        }
        progress.update(i + 1);
      }
      producer.flush();
    }
    if (!refused.isEmpty()) {
      throw new IllegalStateException(refused.size() + " payments refused by the decide endpoint, the first: " + refused.peek());
    }
    return new Fed(payments.size(), MALFORMED.size(), start, System.nanoTime(), List.copyOf(answers), fallbacks.get());
  }
}
