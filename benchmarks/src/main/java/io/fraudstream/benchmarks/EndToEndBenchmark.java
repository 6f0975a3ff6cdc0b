package io.fraudstream.benchmarks;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.FraudEngine;
import io.fraudstream.engine.Pacing;
import io.fraudstream.engine.Topics;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * End-to-end throughput and latency on the embedded broker.
 *
 * <p>Pre-loads N payments into an input topic, then, in each round, times from {@code start()}
 * until the application has committed offsets for all N: first a pass-through Kafka Streams app
 * (consume, produce, no work) with the engine's own settings, then the engine. Reports medians
 * over rounds and the engine-to-pass-through ratio. Finally feeds payments at a fixed rate and
 * measures the time from send to the decision being readable with {@code read_committed}.
 *
 * <p>Usage: {@code EndToEndBenchmark [payments=200000] [rounds=3] [latencyRate=2000] [latencyPayments=10000] [threads=1]}
 */
public final class EndToEndBenchmark {

  private static final String SECRET = "end-to-end-benchmark-secret";
  private static final String INPUT = "bench-transactions";
  private static final String LATENCY_INPUT = "bench-latency-transactions";

  private EndToEndBenchmark() {}

  public static void main(String[] args) throws Exception {
    Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
    int payments = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int latencyRate = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
    int latencyPayments = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;

    List<Transaction> load = synthetic(payments, 11);
    ModelBundle bundle = ModelTrainer.train(
        OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)), SECRET.getBytes(StandardCharsets.UTF_8)),
        ModelTrainer.Settings.defaults("synthetic seed 1"));

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
      EngineConfig base = config(broker.bootstrapServers(), "unused", INPUT, threads);
      Topics topics = base.topics();
      TopicAdmin.ensureTopics(base.clientProperties(), topics, base.partitions());
      double preloadSeconds = produce(base, load, 0);
      System.out.printf(Locale.ROOT, "pre-loaded %,d payments in %.1f s (%,.0f/s), %d partitions%n",
          payments, preloadSeconds, payments / preloadSeconds, base.partitions());

      double[] passThrough = new double[rounds];
      double[] engine = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        passThrough[round] = payments / timePassThrough(config(broker.bootstrapServers(), "bench-pass-" + round, INPUT, threads), payments);
        engine[round] = payments / timeEngine(config(broker.bootstrapServers(), "bench-engine-" + round, INPUT, threads), bundle, payments);
        System.out.printf(Locale.ROOT, "round %d: pass-through %,.0f rec/s, engine %,.0f rec/s%n", round + 1, passThrough[round], engine[round]);
      }
      double passMedian = median(passThrough);
      double engineMedian = median(engine);
      System.out.printf(Locale.ROOT, "MEDIAN pass-through %,.0f rec/s | engine %,.0f rec/s | ratio %.2f%n",
          passMedian, engineMedian, engineMedian / passMedian);

      long[] latencies = latency(config(broker.bootstrapServers(), "bench-latency", LATENCY_INPUT, threads), bundle, latencyRate, latencyPayments);
      System.out.printf(Locale.ROOT, "LATENCY at %,d payments/s (%,d payments): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          latencyRate, latencyPayments, Pacing.percentile(latencies, 0.50) / 1000.0, Pacing.percentile(latencies, 0.99) / 1000.0, latencies[latencies.length - 1] / 1000.0);
    }
  }

  private static List<Transaction> synthetic(int count, long seed) {
    int users = Math.max(100, count / 70);
    List<Transaction> all = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(users, 32, seed));
    if (all.size() < count) {
      throw new IllegalStateException("generated only " + all.size() + " payments");
    }
    return all.subList(0, count);
  }

  private static EngineConfig config(String bootstrap, String applicationId, String input, int threads) throws Exception {
    EngineConfig config = EngineConfig.defaults(bootstrap, Files.createTempDirectory("bench-state-"), SECRET);
    return new EngineConfig(bootstrap, applicationId,
        Topics.defaults().withTransactions(input),
        config.stateDir(), config.hashSecret(), config.blockDuration(), config.partitions(), threads,
        config.processingGuarantee(), config.commitInterval(), config.grace(), config.acceptedTimes(), config.kafka(), config.serving());
  }

  /** Produces the payments, paced at {@code rate} per second (0 = as fast as possible); returns seconds. */
  private static double produce(EngineConfig config, List<Transaction> payments, int rate) {
    Properties props = config.clientProperties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 ? "0" : "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < payments.size(); i++) {
        Pacing.awaitTurn(start, i, rate);
        Transaction tx = payments.get(i);
        producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), TransactionJson.write(tx)));
      }
      producer.flush();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static double timePassThrough(EngineConfig config, long expected) throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(INPUT, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to("bench-pass-through-out", Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    Properties admin = config.clientProperties();
    try (Admin client = Admin.create(admin)) {
      client.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("bench-pass-through-out", config.partitions(), (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw e;
      }
    }
    KafkaStreams streams = new KafkaStreams(builder.build(), config.streamsProperties());
    long start = System.nanoTime();
    streams.start();
    awaitCommitted(config, expected);
    double seconds = (System.nanoTime() - start) / 1e9;
    streams.close(Duration.ofSeconds(30));
    return seconds;
  }

  private static double timeEngine(EngineConfig config, ModelBundle bundle, long expected) throws Exception {
    long start = System.nanoTime();
    try (FraudEngine engine = FraudEngine.start(config, bundle, Duration.ofMinutes(2))) {
      awaitCommitted(config, expected);
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /** Waits until the application's committed input offsets add up to {@code expected}. */
  private static void awaitCommitted(EngineConfig config, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    try (Admin admin = Admin.create(config.clientProperties())) {
      while (System.nanoTime() < deadline) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        long committed = offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(INPUT) && e.getValue() != null)
            .mapToLong(e -> e.getValue().offset()).sum();
        if (committed >= expected) {
          return;
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }
    throw new IllegalStateException("the application did not commit " + expected + " offsets within 10 minutes");
  }

  /** Feeds payments at a fixed rate into a fresh input topic and times each decision. */
  private static long[] latency(EngineConfig config, ModelBundle bundle, int rate, int count) throws Exception {
    Properties consumerProps = config.clientProperties();
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-reader");
    consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    List<Transaction> fresh = synthetic(count, 12);
    Map<String, Long> sentNanos = new ConcurrentHashMap<>();
    long[] latencies = new long[count];
    try (FraudEngine engine = FraudEngine.start(config, bundle, Duration.ofMinutes(2));
         KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.topics().decisions()));
      while (consumer.assignment().isEmpty()) {
        consumer.poll(Duration.ofMillis(100));
      }
      consumer.seekToEnd(consumer.assignment());
      consumer.assignment().forEach(consumer::position);
      Thread feeder = new Thread(() -> {
        Properties props = config.clientProperties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
          long start = System.nanoTime();
          for (int i = 0; i < fresh.size(); i++) {
            Pacing.awaitTurn(start, i, rate);
            Transaction tx = fresh.get(i);
            sentNanos.put(tx.id(), System.nanoTime());
            producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), TransactionJson.write(tx)));
          }
        }
      }, "latency-feeder");
      feeder.start();
      int received = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (received < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          Long sentAt = sentNanos.remove(record.key());
          if (sentAt != null) {
            latencies[received++] = (System.nanoTime() - sentAt) / 1000;
          }
        }
      }
      feeder.join();
      if (received < count) {
        throw new IllegalStateException("only " + received + " of " + count + " decisions arrived in the latency phase");
      }
    }
    Arrays.sort(latencies);
    return latencies;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }


}
