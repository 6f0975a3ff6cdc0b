package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * endpoint instead, as a payment service asking inline would send them, and each answer is timed.
 */
final class DemoFeeder {

  /** Two unreadable records show that bad input is diverted, not dropped, and not fatal. */
  private static final List<byte[]> MALFORMED = List.of("{\"id\":\"broken-1\",\"user\":".getBytes(StandardCharsets.UTF_8),
      "{\"id\":\"broken-2\",\"timestamp\":\"2024-01-05T10:00:00Z\",\"user\":\"u00001\",\"amount\":-20}".getBytes(StandardCharsets.UTF_8));

  /**
   * What was sent, and when the feed began and ended (System.nanoTime); the sorted request-to-answer
   * times of the payments sent through the decide endpoint, and how many of those were fallbacks.
   */
  record Fed(long valid, long malformed, long firstSendNanos, long lastSendNanos, long[] answerMicros, long fallbacks) {}

  private static final int MAX_WAITING = 500;
  private static final int ATTEMPTS = 3;

  /**
   * The answer, asking again with the same payment (so it is decided once) when the connection
   * failed or the engine said to come back; a payment service's client does the same.
   */
  private static CompletableFuture<HttpResponse<String>> ask(HttpClient http, HttpRequest request, int attempts) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
      boolean again = error != null || response.statusCode() == 429 || response.statusCode() == 503;
      if (again && attempts > 1) {
        return ask(http, request, attempts - 1);
      }
      if (error != null || response.statusCode() != 200) {
        throw new IllegalStateException("the decide endpoint did not answer: "
            + (error != null ? error.getMessage() : response.statusCode() + " " + response.body()));
      }
      return CompletableFuture.completedFuture(response);
    }).thenCompose(answer -> answer);
  }

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
  Fed feed(List<Transaction> payments, Sent sent, URI decide) throws InterruptedException {
    Properties props = config.clientProperties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    String topic = config.topics().transactions();
    ProgressBar progress = new ProgressBar(out, "   sent", payments.size());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Queue<Long> answerMicros = new ConcurrentLinkedQueue<>();
    AtomicLong fallbacks = new AtomicLong();
    List<CompletableFuture<?>> answers = new ArrayList<>();
    Semaphore waiting = new Semaphore(MAX_WAITING);
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < payments.size(); i++) {
        Transaction tx = payments.get(i);
        Pacing.awaitTurn(start, i, rate);
        if (i == payments.size() / 3 || i == 2 * payments.size() / 3) {
          producer.send(new ProducerRecord<>(topic, tx.user(), MALFORMED.get(i == payments.size() / 3 ? 0 : 1)));
        }
        boolean asked = decide != null && throughEndpoint(tx);
        long sentAt = System.nanoTime();
        sent.accept(tx, sentAt, asked);
        if (asked) {
          // Fewer waiting than the endpoint takes, so that an unpaced feed is held here, not refused there.
          waiting.acquire();
          HttpRequest request = HttpRequest.newBuilder(decide).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(TransactionJson.write(tx))).build();
          answers.add(ask(http, request, ATTEMPTS).whenComplete((response, error) -> waiting.release()).thenAccept(response -> {
            answerMicros.add((System.nanoTime() - sentAt) / 1_000);
            if (response.body().contains("\"fallback\":true")) {
              fallbacks.incrementAndGet();
            }
          }));
        } else {
          producer.send(new ProducerRecord<>(topic, tx.user(), TransactionJson.write(tx)));
        }
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
    long end = System.nanoTime();
    try {
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the decide endpoint did not answer every payment: " + e.getMessage(), e);
    }
    long[] sorted = answerMicros.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Fed(payments.size(), MALFORMED.size(), start, end, sorted, fallbacks.get());
  }
}
