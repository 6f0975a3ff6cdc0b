package io.fraudstream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.FraudEngine;
import io.fraudstream.engine.KafkaProfile;
import io.fraudstream.engine.PaymentPathWarmup;
import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.cli.Pacing;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.engine.topology.Topics;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * End-to-end throughput and latency on the embedded broker, the engine beside a one-hop
 * pass-through Kafka Streams app (consume, produce, no work) with the same settings, in one run.
 *
 * <ol>
 *   <li>Throughput under exactly-once: N payments pre-loaded, then per round the time from
 *       {@code start()} until the app has committed offsets for all N, pass-through then engine.
 *       The first round warms up and is not counted; the medians of the others are reported.
 *   <li>Latency from send to readable with {@code read_committed}, at 25 %, 50 % and 75 % of the
 *       engine's measured maximum, under {@code exactly_once_v2} and {@code at_least_once}, for the
 *       engine and for the pass-through at the same rates: p50, p99 and p99.9, and an SVG plot of
 *       latency against load.
 *   <li>The last line is {@code SUMMARY} and one JSON object, for comparing runs.
 * </ol>
 *
 * <p>Usage: {@code EndToEndBenchmark [payments=200000] [rounds=3] [rate50=0] [latencyPayments=10000] [threads=1]};
 * {@code rate50} pins the rate taken for 50 % (0: half the measured maximum). The engine and the
 * pass-through run with the Kafka profile of {@code -Dfraudstream.profile} (latency by default, as the engine's);
 * {@code -Dfraudstream.kafka.KEY=VALUE} adds a Kafka setting to both apps', and {@code -Dfraudstream.users} sets how
 * many users pay (default: one per 70 payments).
 */
public final class EndToEndBenchmark {

  private static final String SECRET = "end-to-end-benchmark-secret";
  private static final String INPUT = "bench-transactions";
  private static final double[] LOADS = {0.25, 0.50, 0.75};
  private static final List<String> GUARANTEES = List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE);

  private EndToEndBenchmark() {}

  /** Send-to-readable latency of one app at one rate. */
  record Latency(String app, String guarantee, double load, int rate, double p50Ms, double p99Ms, double p999Ms,
      List<LatencyTimings.Figures> stages) {}

  public static void main(String[] args) throws Exception {
    Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
    int payments = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int rate50 = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    int latencyPayments = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    if (payments < 1 || rounds < 2 || rate50 < 0 || latencyPayments < 100 || threads < 1) {
      throw new IllegalArgumentException("usage: EndToEndBenchmark [payments>=1] [rounds>=2: the first warms up] [rate50>=0] "
          + "[latencyPayments>=100] [threads>=1]");
    }

    List<Transaction> load = synthetic(payments, 11);
    ModelBundle bundle = ModelTrainer.train(
        OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)), SECRET.getBytes(StandardCharsets.UTF_8)),
        ModelTrainer.Settings.defaults("synthetic seed 1"));

    try (TemporaryDirectory states = TemporaryDirectory.create("bench-state-");
         EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
      String bootstrap = broker.bootstrapServers();
      Path stateRoot = states.path();
      EngineConfig base = config(bootstrap, stateRoot, "unused", INPUT, threads, StreamsConfig.EXACTLY_ONCE_V2);
      TopicAdmin.ensureTopics(base.clientProperties(), base.topics(), base.partitions());
      double preloadSeconds = produce(base, load, 0, null);
      System.out.printf(Locale.ROOT, "pre-loaded %,d payments in %.1f s (%,.0f/s), %d partitions, profile %s (commit interval %d ms)%n",
          payments, preloadSeconds, payments / preloadSeconds, base.partitions(), base.profile(), base.commitInterval().toMillis());

      double[] passThrough = new double[rounds - 1];
      double[] engine = new double[rounds - 1];
      for (int round = 0; round < rounds; round++) {
        EngineConfig pass = config(bootstrap, stateRoot, "bench-pass-" + round, INPUT, threads, StreamsConfig.EXACTLY_ONCE_V2);
        double passRate = payments / timePassThrough(pass, INPUT, "bench-pass-out-" + round, payments);
        EngineConfig eng = config(bootstrap, stateRoot, "bench-engine-" + round, INPUT, threads, StreamsConfig.EXACTLY_ONCE_V2);
        double engineRate = payments / timeEngine(eng, bundle, payments);
        System.out.printf(Locale.ROOT, "round %d%s: pass-through %,.0f rec/s, engine %,.0f rec/s%n", round + 1,
            round == 0 ? " (warm-up, not counted)" : "", passRate, engineRate);
        if (round > 0) {
          passThrough[round - 1] = passRate;
          engine[round - 1] = engineRate;
        }
      }
      double passMedian = median(passThrough);
      double engineMedian = median(engine);
      System.out.printf(Locale.ROOT, "MEDIAN under exactly_once_v2: pass-through %,.0f rec/s | engine %,.0f rec/s | ratio %.2f%n",
          passMedian, engineMedian, engineMedian / passMedian);

      int half = rate50 > 0 ? rate50 : (int) Math.max(1, engineMedian / 2);
      List<Latency> latencies = new ArrayList<>();
      int run = 0;
      for (String guarantee : GUARANTEES) {
        for (double share : LOADS) {
          int rate = (int) Math.max(1, Math.round(half * share / 0.5));
          run++;
          latencies.add(engineLatency(config(bootstrap, stateRoot, "bench-latency-" + run, "bench-latency-in-" + run, threads, guarantee),
              bundle, share, rate, latencyPayments));
          latencies.add(passThroughLatency(config(bootstrap, stateRoot, "bench-pass-latency-" + run, "bench-pass-in-" + run, threads, guarantee),
              "bench-pass-latency-out-" + run, share, rate, latencyPayments));
          for (Latency measured : latencies.subList(latencies.size() - 2, latencies.size())) {
            System.out.printf(Locale.ROOT, "LATENCY %-12s %-15s %3.0f %% load, %,6d payments/s: p50 %8.1f ms, p99 %8.1f ms, p99.9 %8.1f ms%n",
                measured.app(), measured.guarantee(), measured.load() * 100, measured.rate(), measured.p50Ms(), measured.p99Ms(),
                measured.p999Ms());
            for (LatencyTimings.Figures stage : measured.stages()) {
              System.out.printf(Locale.ROOT, "  stage %-11s p50 %8.1f ms, p99 %8.1f ms, p99.9 %8.1f ms%n", stage.measure(), stage.p50(),
                  stage.p99(), stage.p999());
            }
          }
        }
      }
      Path plot = Path.of("benchmarks", "target", "latency-vs-load.svg");
      Files.createDirectories(plot.getParent());
      Files.writeString(plot, LatencyPlot.svg(latencies));
      System.out.println("plot of latency against load: " + plot.toAbsolutePath());
      System.out.println("SUMMARY " + summary(engineMedian, passMedian, latencies));
    }
  }

  /** The last line's JSON: throughput, and for each guarantee the figures at 50 % load. */
  static String summary(double engineRps, double passRps, List<Latency> latencies) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode summary = json.createObjectNode()
        .put("profile", System.getProperty("fraudstream.profile", "latency")).put("engine_rps", Math.round(engineRps)).put("passthrough_rps", Math.round(passRps))
        .put("ratio", Math.round(engineRps / passRps * 1000) / 1000.0);
    for (String guarantee : GUARANTEES) {
      Latency engine = find(latencies, "engine", guarantee, 0.5);
      Latency pass = find(latencies, "pass-through", guarantee, 0.5);
      summary.putObject(guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2) ? "eos" : "alo")
          .put("rate", engine.rate()).put("p50_ms", round(engine.p50Ms())).put("p99_ms", round(engine.p99Ms()))
          .put("p999_ms", round(engine.p999Ms())).put("passthrough_p99_ms", round(pass.p99Ms()))
          .put("p99_ratio", round(engine.p99Ms() / pass.p99Ms()));
      ObjectNode stages = ((ObjectNode) summary.get(guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2) ? "eos" : "alo")).putObject("stages");
      for (LatencyTimings.Figures stage : engine.stages()) {
        stages.put(stage.measure() + "_p50_ms", round(stage.p50())).put(stage.measure() + "_p99_ms", round(stage.p99()));
      }
    }
    return json.writeValueAsString(summary);
  }

  private static Latency find(List<Latency> latencies, String app, String guarantee, double load) {
    return latencies.stream().filter(l -> l.app().equals(app) && l.guarantee().equals(guarantee) && l.load() == load)
        .findFirst().orElseThrow();
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private static List<Transaction> synthetic(int count, long seed) {
    Integer manyUsers = Integer.getInteger("fraudstream.users");
    if (manyUsers != null) {
      return SyntheticGenerator.first(count, manyUsers, seed);
    }
    int users = Math.max(100, count / 70);
    List<Transaction> all = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(users, 32, seed));
    if (all.size() < count) {
      throw new IllegalStateException("generated only " + all.size() + " payments");
    }
    return all.subList(0, count);
  }

  /** The engine's settings for one app of a run, its local state in a directory of its own under {@code stateRoot}. */
  static EngineConfig config(String bootstrap, Path stateRoot, String applicationId, String input, int threads, String guarantee) {
    KafkaProfile profile = KafkaProfile.parse(System.getProperty("fraudstream.profile", "latency"));
    EngineConfig config = EngineConfig.defaults(bootstrap, stateRoot.resolve(applicationId), SECRET);
    // Each run publishes entity risk on a topic of its own, so none starts by reading another's.
    return new EngineConfig(bootstrap, applicationId, Topics.defaults().withTransactions(input).withEntityRisk(applicationId + "-entity-risk"),
        config.stateDir(), config.hashSecret(), config.blockDuration(), config.partitions(), threads,
        guarantee, profile, profile.commitInterval(), config.grace(), config.acceptedTimes(), kafkaOverrides(config.kafka()), config.serving(),
        config.challenges());
  }

  /** The engine's Kafka settings with those given as {@code -Dfraudstream.kafka.KEY=VALUE}, for trying one setting against another. */
  private static Map<String, String> kafkaOverrides(Map<String, String> kafka) {
    Map<String, String> all = new TreeMap<>(kafka);
    String prefix = "fraudstream.kafka.";
    System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith(prefix))
        .forEach(name -> all.put(name.substring(prefix.length()), System.getProperty(name)));
    return all;
  }

  /**
   * Produces the payments to the config's input topic, paced at {@code rate} per second (0 = as
   * fast as possible), noting each send's time in {@code sentNanos} when given; returns seconds.
   */
  static double produce(EngineConfig config, List<Transaction> payments, int rate, Map<String, Long> sentNanos) {
    Properties props = config.clientProperties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 ? "0" : "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
    // On a broker just started, a first batch now and then gets no answer (seen about one start
    // in five here, with the default 120 s delivery timeout): give up on it sooner and send it again.
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      List<Integer> failed = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < payments.size(); i++) {
        Pacing.awaitTurn(start, i, rate);
        send(producer, config, payments.get(i), sentNanos, failed, i);
      }
      producer.flush();
      for (int attempt = 1; !failed.isEmpty(); attempt++) {
        if (rate > 0 || attempt > 3) {
          throw new IllegalStateException(failed.size() + " payments could not be sent" + (rate > 0 ? " while timing latency" : ""));
        }
        List<Integer> again = new ArrayList<>(failed);
        failed.clear();
        System.out.printf(Locale.ROOT, "sending %,d payments again, whose batches timed out%n", again.size());
        for (int i : again) {
          send(producer, config, payments.get(i), sentNanos, failed, i);
        }
        producer.flush();
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void send(KafkaProducer<String, byte[]> producer, EngineConfig config, Transaction tx, Map<String, Long> sentNanos,
      List<Integer> failed, int index) {
    if (sentNanos != null) {
      sentNanos.put(tx.id(), System.nanoTime());
    }
    producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), TransactionJson.write(tx)), (metadata, error) -> {
      if (error != null) {
        failed.add(index);
      }
    });
  }

  private static KafkaStreams passThrough(EngineConfig config, String output) throws Exception {
    TopicAdmin.ensureTopics(config.clientProperties(), List.of(config.topics().transactions(), output), config.partitions(), Set.of());
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(config.topics().transactions(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    return new KafkaStreams(builder.build(), config.streamsProperties());
  }

  private static double timePassThrough(EngineConfig config, String input, String output, long expected) throws Exception {
    KafkaStreams streams = passThrough(config, output);
    long start = System.nanoTime();
    streams.start();
    awaitCommitted(config, input, expected);
    double seconds = (System.nanoTime() - start) / 1e9;
    streams.close(Duration.ofSeconds(30));
    return seconds;
  }

  private static double timeEngine(EngineConfig config, ModelBundle bundle, long expected) throws Exception {
    long start = System.nanoTime();
    try (FraudEngine engine = FraudEngine.start(config, bundle, Duration.ofMinutes(2))) {
      awaitCommitted(config, config.topics().transactions(), expected);
      double seconds = (System.nanoTime() - start) / 1e9;
      printWhereTheThreadsTimeWent(engine);
      return seconds;
    }
  }

  /**
   * Kafka Streams' own account of its stream threads' time (KIP-444): the shares spent polling,
   * processing, punctuating and committing, so a run shows where the time goes, not only how much.
   */
  private static void printWhereTheThreadsTimeWent(FraudEngine engine) {
    StringBuilder line = new StringBuilder("stream thread time:");
    for (String ratio : List.of("poll", "process", "punctuate", "commit")) {
      double sum = engine.registry().find("kafka.stream.thread." + ratio + ".ratio").gauges().stream().mapToDouble(g -> g.value()).sum();
      line.append(String.format(Locale.ROOT, " %s %.0f %%", ratio, sum * 100));
    }
    System.out.println(line);
  }

  /** Waits until the application's committed offsets on {@code input} add up to {@code expected}. */
  private static void awaitCommitted(EngineConfig config, String input, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    try (Admin admin = Admin.create(config.clientProperties())) {
      while (System.nanoTime() < deadline) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        long committed = offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(input) && e.getValue() != null)
            .mapToLong(e -> e.getValue().offset()).sum();
        if (committed >= expected) {
          return;
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }
    throw new IllegalStateException("the application did not commit " + expected + " offsets within 10 minutes");
  }

  private static Latency engineLatency(EngineConfig config, ModelBundle bundle, double load, int rate, int count) throws Exception {
    // Warmed as `run` warms it: a fresh engine per load point would otherwise be timed while its
    // payment path is still interpreted (issue 35 found that behind the at-least-once figures).
    try (FraudEngine engine = FraudEngine.start(config, bundle, Duration.ofMinutes(2), PaymentPathWarmup.DEFAULT_PAYMENTS)) {
      return latency("engine", config, config.topics().decisions(), load, rate, count);
    }
  }

  private static Latency passThroughLatency(EngineConfig config, String output, double load, int rate, int count) throws Exception {
    KafkaStreams streams = passThrough(config, output);
    try {
      streams.start();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      return latency("pass-through", config, output, load, rate, count);
    } finally {
      streams.close(Duration.ofSeconds(30));
    }
  }

  /**
   * Feeds payments at {@code rate} to the app and times each from its send until its record is
   * readable on {@code output}, with read_committed and read_uncommitted (keyed by payment id for
   * decisions, by user for the pass-through, whose value names the payment). A first fifth,
   * other payments at the same rate, warms the app's clients up and is not timed. For the engine,
   * the stages of each payment's time come from its decision's own {@code decidedAt}.
   */
  private static Latency latency(String app, EngineConfig config, String output, double load, int rate, int count) throws Exception {
    boolean engine = app.equals("engine");
    Properties client = config.clientProperties();
    LatencyTimings.feedAndTime(client, config.topics().transactions(), output, engine, synthetic(Math.max(100, count / 5), 13),
        rate, 0);
    LatencyTimings timings = LatencyTimings.feedAndTime(client, config.topics().transactions(), output, engine,
        synthetic(count, 12), rate, count);
    List<LatencyTimings.Figures> figures = timings.phase(app, config.processingGuarantee(), "timed", 0, count);
    LatencyTimings.Figures committed = figures.get(0);
    return new Latency(app, config.processingGuarantee(), load, rate, committed.p50(), committed.p99(), committed.p999(),
        figures.subList(1, figures.size()));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
