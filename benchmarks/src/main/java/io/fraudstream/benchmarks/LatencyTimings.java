package io.fraudstream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.engine.cli.Pacing;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Per payment fed to an app: when it was sent (nano and wall-clock micros), when it was decided
 * (the decision's own {@code decidedAt}), and when its record became readable on the output with
 * {@code read_uncommitted} and {@code read_committed}; and the figures of a phase from them. Shared
 * by {@link ProductionShapeBenchmark} and {@link EndToEndBenchmark}.
 */
final class LatencyTimings {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One app's latencies in one phase, in ms. */
  record Figures(String app, String guarantee, String phase, String measure, long count, double p50, double p99, double p999) {
    String line() {
      return String.format(Locale.ROOT, "LATENCY %-12s %-15s %-12s %-11s n=%,7d p50 %8.1f ms, p99 %8.1f ms, p99.9 %8.1f ms",
          app, guarantee, phase, measure, count, p50, p99, p999);
    }
  }

  final long[] sentNanos;
  final long[] sentMicros;
  final long[] decidedMicros;
  final long[] uncommittedNanos;
  final long[] committedNanos;
  /** When the decide endpoint's answer arrived, for payments sent through it; negative for a fallback. */
  final long[] answeredNanos;

  LatencyTimings(int count) {
    answeredNanos = new long[count];
    sentNanos = new long[count];
    sentMicros = new long[count];
    decidedMicros = new long[count];
    uncommittedNanos = new long[count];
    committedNanos = new long[count];
  }

  List<Figures> figures(String app, String guarantee, int rate, int first, int warmup) {
    List<Figures> out = new ArrayList<>();
    int firstEnd = Math.min(sentNanos.length, rate * first);
    int warmStart = Math.min(sentNanos.length, rate * (first + warmup));
    out.addAll(phase(app, guarantee, "first-minute", 0, firstEnd));
    out.addAll(phase(app, guarantee, "warm", warmStart, sentNanos.length));
    return out;
  }

  /** The committed p50 and p99 of each 5 s of sends, to show when the engine caught up and when it stalled. */
  String timeline(String label, int rate) {
    StringBuilder line = new StringBuilder("TIMELINE " + label + ", committed p50/p99 ms per 5 s of sends:");
    int step = rate * 5;
    for (int from = 0; from + step <= sentNanos.length; from += step) {
      Figures f = figure("", "", "", "", from, from + step, i -> (committedNanos[i] - sentNanos[i]) / 1_000);
      line.append(String.format(Locale.ROOT, " %.0f/%.0f", f.p50(), f.p99()));
    }
    return line.toString();
  }

  List<Figures> phase(String app, String guarantee, String phase, int from, int to) {
    List<Figures> out = new ArrayList<>();
    out.add(figure(app, guarantee, phase, "committed", from, to, i -> (committedNanos[i] - sentNanos[i]) / 1_000));
    out.add(figure(app, guarantee, phase, "uncommitted", from, to, i -> (uncommittedNanos[i] - sentNanos[i]) / 1_000));
    if (decidedMicros[from] != 0) {
      out.add(figure(app, guarantee, phase, "queued", from, to, i -> decidedMicros[i] - sentMicros[i]));
      out.add(figure(app, guarantee, phase, "written", from, to,
          i -> (uncommittedNanos[i] - sentNanos[i]) / 1_000 - (decidedMicros[i] - sentMicros[i])));
      out.add(figure(app, guarantee, phase, "commit", from, to, i -> (committedNanos[i] - uncommittedNanos[i]) / 1_000));
    }
    return out;
  }

  private static Figures figure(String app, String guarantee, String phase, String measure, int from, int to,
      IntToLongFunction micros) {
    long[] values = new long[to - from];
    for (int i = from; i < to; i++) {
      values[i - from] = micros.applyAsLong(i);
    }
    Arrays.sort(values);
    return new Figures(app, guarantee, phase, measure, values.length, Pacing.percentile(values, 0.5) / 1000.0,
        Pacing.percentile(values, 0.99) / 1000.0, Pacing.percentile(values, 0.999) / 1000.0);
  }

  /** Sends payment {@code i}, already given its id and time, and notes in {@code timings} what the sending returns. */
  interface Sender {
    void send(int i, Transaction payment, LatencyTimings timings) throws Exception;
  }

  /** Feeds the payments as ids {@code p<firstId + i>} to {@code input} and times each; returns the timings by {@code i}. */
  static LatencyTimings feedAndTime(Properties client, String input, String output, boolean engine, List<Transaction> payments,
      int rate, int firstId) throws Exception {
    Properties props = (Properties) client.clone();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      LatencyTimings timings = feedAndTime(client, output, engine, payments, rate, firstId,
          (i, tx, times) -> producer.send(new ProducerRecord<>(input, tx.user(), TransactionJson.write(tx))));
      producer.flush();
      return timings;
    }
  }

  /** Feeds the payments as ids {@code p<firstId + i>} through {@code sender} and times each on {@code output}. */
  static LatencyTimings feedAndTime(Properties client, String output, boolean engine, List<Transaction> payments, int rate, int firstId,
      Sender sender) throws Exception {
    LatencyTimings timings = new LatencyTimings(payments.size());
    AtomicBoolean stop = new AtomicBoolean();
    Reader committed = new Reader(client, output, "read_committed", engine, timings.committedNanos, timings, stop, firstId);
    Reader uncommitted = new Reader(client, output, "read_uncommitted", engine, timings.uncommittedNanos, null, stop, firstId);
    committed.start();
    uncommitted.start();
    committed.awaitAssigned();
    uncommitted.awaitAssigned();
    long start = System.nanoTime();
    for (int i = 0; i < payments.size(); i++) {
      Pacing.awaitTurn(start, i, rate);
      Instant now = Instant.now();
      Transaction tx = payments.get(i).liveAt("p" + (firstId + i), now);
      timings.sentMicros[i] = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
      timings.sentNanos[i] = System.nanoTime();
      sender.send(i, tx, timings);
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while ((committed.received < payments.size() || uncommitted.received < payments.size()) && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    stop.set(true);
    committed.join();
    uncommitted.join();
    if (committed.received < payments.size() || uncommitted.received < payments.size()) {
      throw new IllegalStateException("of " + payments.size() + " payments, " + committed.received + " were readable committed and "
          + uncommitted.received + " uncommitted within 2 minutes of the last send");
    }
    return timings;
  }

  /** Notes when each payment's record first becomes readable on the output with one isolation level. */
  private static final class Reader extends Thread {
    private final Properties props;
    private final String output;
    private final boolean decisions;
    private final long[] seenNanos;
    private final LatencyTimings decidedInto;
    private final AtomicBoolean stop;
    private final int firstId;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile Throwable failure;
    volatile int received;

    Reader(Properties client, String output, String isolation, boolean decisions, long[] seenNanos, LatencyTimings decidedInto,
        AtomicBoolean stop, int firstId) {
      super("reader-" + isolation);
      this.firstId = firstId;
      this.props = (Properties) client.clone();
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
      props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
      this.output = output;
      this.decisions = decisions;
      this.seenNanos = seenNanos;
      this.decidedInto = decidedInto;
      this.stop = stop;
    }

    void awaitAssigned() throws InterruptedException {
      if (!assigned.await(1, TimeUnit.MINUTES) || failure != null) {
        throw new IllegalStateException("the " + getName() + " consumer could not start", failure);
      }
    }

    @Override
    public void run() {
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> partitions = consumer.partitionsFor(output, Duration.ofSeconds(30)).stream()
            .map(info -> new TopicPartition(output, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        assigned.countDown();
        while (!stop.get()) {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
            long now = System.nanoTime();
            int index = paymentIndex(record);
            if (index >= 0 && index < seenNanos.length && seenNanos[index] == 0) {
              seenNanos[index] = now;
              received++;
              if (decidedInto != null && decisions) {
                decidedInto.decidedMicros[index] = decidedMicros(record.value());
              }
            }
          }
        }
      } catch (RuntimeException | Error e) {
        failure = e;
        assigned.countDown();
        throw e;
      }
    }

    private int paymentIndex(ConsumerRecord<String, byte[]> record) {
      String id = decisions ? record.key() : TransactionJson.parseOrThrow(record.value()).id();
      return id != null && id.startsWith("p") ? Integer.parseInt(id.substring(1)) - firstId : -1;
    }

    private static long decidedMicros(byte[] decision) {
      try {
        Instant decided = Instant.parse(JSON.readTree(decision).path("decidedAt").asText());
        return decided.getEpochSecond() * 1_000_000 + decided.getNano() / 1_000;
      } catch (IOException e) {
        throw new IllegalStateException("a decision that is not JSON", e);
      }
    }
  }
}
