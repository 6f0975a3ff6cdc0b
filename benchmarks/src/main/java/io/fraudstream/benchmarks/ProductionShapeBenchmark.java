package io.fraudstream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.cli.Pacing;
import io.fraudstream.engine.kafka.BrokerMain;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
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
import org.apache.kafka.streams.StreamsConfig;

/**
 * The payment path as users run it: a broker, the engine ({@code ./fraudstream run}, its own
 * command line) and this load generator each in a JVM of its own on the same machine, and beside
 * it a one-hop Kafka Streams pass-through in the same shape, each app on a fresh broker.
 *
 * <p>Each broker is warmed first ({@link #warmBroker}). Live payments of {@code users} synthetic users (their usual devices and merchants), stamped
 * with the time they are sent, are fed at {@code rate} per second, paced by parking, from the
 * moment the app says it is ready. Each is timed from its send until its decision (or, for the
 * pass-through, its copy) is readable with {@code read_committed}, and until it first exists
 * ({@code read_uncommitted}). The first {@code first} seconds are the first minute after ready;
 * after {@code warmup} more seconds, {@code measure} seconds are the warm figures. The engine is then
 * stopped by SIGTERM and started again on its state, as a deploy does, and its first {@code first}
 * seconds measured again ({@code restart}), the broker warm for it. For the engine,
 * each payment's time is also split into stages by the decision's own {@code decidedAt}:
 * queued (sent until decided: waiting in the partition, polled, the reorder and the work before
 * it), written (decided until readable uncommitted) and commit (until readable committed).
 *
 * <p>Usage: {@code ProductionShapeBenchmark [rate=1000] [users=100000] [first=60] [warmup=60] [measure=60]
 * [guarantees=exactly_once_v2,at_least_once] [apps=engine,pass-through]}. Run from the repository
 * root after {@code ./mvnw -q -DskipTests package}. The last line is {@code SUMMARY} and one JSON
 * object. Extra engine JVM options go in {@code FRAUDSTREAM_JAVA_OPTS}, as for the launcher.
 */
public final class ProductionShapeBenchmark {

  private static final String SECRET = "production-shape-benchmark-secret";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration BROKER_WARM_UP = Duration.ofSeconds(30);

  private ProductionShapeBenchmark() {}

  /** One app's latencies in one phase, in ms. */
  record Figures(String app, String guarantee, String phase, String measure, long count, double p50, double p99, double p999) {
    String line() {
      return String.format(Locale.ROOT, "LATENCY %-12s %-15s %-12s %-11s n=%,7d p50 %8.1f ms, p99 %8.1f ms, p99.9 %8.1f ms",
          app, guarantee, phase, measure, count, p50, p99, p999);
    }
  }

  public static void main(String[] args) throws Exception {
    Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
    int rate = intArg(args, 0, 1_000);
    int users = intArg(args, 1, 100_000);
    int first = intArg(args, 2, 60);
    int warmup = intArg(args, 3, 60);
    int measure = intArg(args, 4, 60);
    List<String> guarantees = args.length > 5 ? List.of(args[5].split(",")) : List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE);
    List<String> apps = args.length > 6 ? List.of(args[6].split(",")) : List.of("engine", "pass-through");
    if (rate < 1 || users < 1 || first < 1 || warmup < 0 || measure < 1) {
      throw new IllegalArgumentException("usage: ProductionShapeBenchmark [rate>=1] [users>=1] [first>=1] [warmup>=0] [measure>=1] "
          + "[guarantees] [apps]");
    }
    if (!Files.isRegularFile(Path.of("fraudstream")) || !Files.isRegularFile(Path.of("engine/target/fraudstream.jar"))) {
      throw new IllegalStateException("run from the repository root after './mvnw -q -DskipTests package'");
    }
    int total = rate * (first + warmup + measure);
    List<Transaction> payments = livePayments(users, total);
    System.out.printf(Locale.ROOT, "%,d payments of %,d users at %,d/s: first %d s, warm-up %d s, measured %d s%n",
        total, users, rate, first, warmup, measure);
    List<Figures> all = new ArrayList<>();
    try (TemporaryDirectory work = TemporaryDirectory.create("production-shape-")) {
      Path model = work.path().resolve("model.bundle");
      ModelTrainer.train(OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)),
          SECRET.getBytes(StandardCharsets.UTF_8)), ModelTrainer.Settings.defaults("synthetic seed 1")).save(model);
      int run = 0;
      for (String guarantee : guarantees) {
        for (String app : apps) {
          run++;
          List<Figures> figures = measure(work.path().resolve("run-" + run), app, guarantee, model, payments, rate, first, warmup);
          figures.forEach(f -> System.out.println(f.line()));
          all.addAll(figures);
        }
      }
    }
    System.out.println("SUMMARY " + summary(all));
  }

  private static int intArg(String[] args, int index, int fallback) {
    return args.length > index ? Integer.parseInt(args[index]) : fallback;
  }

  /** Payments of {@code users} users in their time order, as many as asked; each user pays from their usual devices and merchants. */
  static List<Transaction> livePayments(int users, int count) {
    for (int days = 2; ; days *= 2) {
      List<Transaction> generated = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(users, days, 7));
      if (generated.size() >= count) {
        return generated.subList(0, count);
      }
    }
  }

  private static List<Figures> measure(Path dir, String app, String guarantee, Path model, List<Transaction> payments, int rate,
      int first, int warmup) throws Exception {
    Files.createDirectories(dir);
    int[] ports = EmbeddedKafkaBroker.freePorts(2);
    String bootstrap = "127.0.0.1:" + ports[0];
    boolean engine = app.equals("engine");
    String input = engine ? "transactions" : "pass-in";
    String output = engine ? "decisions" : "pass-out";
    try (ChildProcess broker = ChildProcess.java(dir.resolve("broker.log"), BrokerMain.class.getName(),
        dir.resolve("broker").toString(), Integer.toString(ports[0]), Integer.toString(ports[1]))) {
      broker.awaitLine("broker running at", Duration.ofSeconds(60));
      Properties client = new Properties();
      client.put("bootstrap.servers", bootstrap);
      warmBroker(dir, bootstrap, client, payments, rate);
      if (!engine) {
        TopicAdmin.ensureTopics(client, List.of(input, output), 4, Set.of());
      }
      List<Figures> figures = new ArrayList<>();
      try (ChildProcess process = engine ? startEngine(dir, "engine.log", bootstrap, model, guarantee)
          : ChildProcess.java(dir.resolve("pass.log"), PassThroughProcess.class.getName(), bootstrap, dir.resolve("state").toString(),
              "pass-" + guarantee, input, output, guarantee)) {
        process.awaitLine(engine ? "fraudstream is running" : "running", Duration.ofMinutes(2));
        Timings timings = feedAndTime(client, input, output, engine, payments, rate, 0);
        process.close();
        System.out.println(timings.timeline(app + " " + guarantee + " first start", rate));
        figures.addAll(timings.figures(app, guarantee, rate, first, warmup));
      }
      if (engine) {
        // A deploy: the same engine stopped by SIGTERM and started again on its state, the broker warm.
        try (ChildProcess process = startEngine(dir, "engine-restart.log", bootstrap, model, guarantee)) {
          process.awaitLine("fraudstream is running", Duration.ofMinutes(2));
          Timings timings = feedAndTime(client, input, output, true, payments.subList(0, Math.min(payments.size(), rate * first)), rate,
              payments.size());
          process.close();
          System.out.println(timings.timeline(app + " " + guarantee + " restart", rate));
          figures.addAll(timings.phase(app, guarantee, "restart", 0, timings.sentNanos.length));
        }
      }
      return figures;
    }
  }

  /** {@code ./fraudstream run} against the broker, with its state under {@code dir} and its output in {@code log}. */
  private static ChildProcess startEngine(Path dir, String log, String bootstrap, Path model, String guarantee) throws IOException {
    return ChildProcess.launcher(dir.resolve(log), "run", "--bootstrap-servers", bootstrap, "--model", model.toString(),
        "--hash-secret", SECRET, "--state-dir", dir.resolve("state").toString(), "--processing-guarantee", guarantee,
        "--http-port", "-1");
  }

  /**
   * A broker runs for months, so in production its own code is compiled long before an engine
   * starts; a fresh broker JVM compiles while the first minute is measured and takes a core from
   * the engine on two. So each broker first carries {@link #BROKER_WARM_UP} of the same feed
   * through an exactly-once pass-through on topics of its own, which is then stopped.
   */
  private static void warmBroker(Path dir, String bootstrap, Properties client, List<Transaction> payments, int rate) throws Exception {
    TopicAdmin.ensureTopics(client, List.of("broker-warm-up-in", "broker-warm-up-out"), 4, Set.of());
    try (ChildProcess pass = ChildProcess.java(dir.resolve("broker-warm-up.log"), PassThroughProcess.class.getName(), bootstrap,
        dir.resolve("broker-warm-up-state").toString(), "broker-warm-up", "broker-warm-up-in", "broker-warm-up-out",
        StreamsConfig.EXACTLY_ONCE_V2)) {
      pass.awaitLine("running", Duration.ofMinutes(2));
      int count = (int) Math.min(payments.size(), rate * BROKER_WARM_UP.toSeconds());
      feedAndTime(client, "broker-warm-up-in", "broker-warm-up-out", false, payments.subList(0, count), rate, 0);
    }
  }

  /** Per payment: sent (nano and wall-clock micros), decided (the decision's own wall clock), readable uncommitted and committed. */
  static final class Timings {
    final long[] sentNanos;
    final long[] sentMicros;
    final long[] decidedMicros;
    final long[] uncommittedNanos;
    final long[] committedNanos;

    Timings(int count) {
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
  }

  /** Feeds the payments as ids {@code p<firstId + i>} and times each; returns the timings by {@code i}. */
  static Timings feedAndTime(Properties client, String input, String output, boolean engine, List<Transaction> payments,
      int rate, int firstId) throws Exception {
    Timings timings = new Timings(payments.size());
    AtomicBoolean stop = new AtomicBoolean();
    Reader committed = new Reader(client, output, "read_committed", engine, timings.committedNanos, timings, stop, firstId);
    Reader uncommitted = new Reader(client, output, "read_uncommitted", engine, timings.uncommittedNanos, null, stop, firstId);
    committed.start();
    uncommitted.start();
    committed.awaitAssigned();
    uncommitted.awaitAssigned();
    Properties props = (Properties) client.clone();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      long start = System.nanoTime();
      for (int i = 0; i < payments.size(); i++) {
        Pacing.awaitTurn(start, i, rate);
        Transaction template = payments.get(i);
        Instant now = Instant.now();
        Transaction tx = new Transaction("p" + (firstId + i), now, template.user(), template.amount(), template.currency(), template.merchant(),
            template.category(), template.channel(), template.counterparty(), template.device(), template.ip(), template.country(),
            template.lat(), template.lon(), null, null);
        timings.sentMicros[i] = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        timings.sentNanos[i] = System.nanoTime();
        producer.send(new ProducerRecord<>(input, tx.user(), TransactionJson.write(tx)));
      }
      producer.flush();
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
    private final Timings decidedInto;
    private final AtomicBoolean stop;
    private final int firstId;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile Throwable failure;
    volatile int received;

    Reader(Properties client, String output, String isolation, boolean decisions, long[] seenNanos, Timings decidedInto,
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

  /** The warm and first-minute p99s of each app and guarantee, and the ratios the issue sets targets on. */
  static String summary(List<Figures> figures) throws IOException {
    ObjectNode summary = JSON.createObjectNode();
    for (Figures f : figures) {
      if (f.measure().equals("committed") || f.measure().equals("uncommitted")) {
        summary.with(f.guarantee().equals(StreamsConfig.EXACTLY_ONCE_V2) ? "eos" : "alo").with(f.app()).with(f.phase())
            .put(f.measure() + "_p50_ms", round(f.p50())).put(f.measure() + "_p99_ms", round(f.p99()))
            .put(f.measure() + "_p999_ms", round(f.p999()));
      }
    }
    for (String guarantee : List.of("eos", "alo")) {
      JsonNode engine = summary.path(guarantee).path("engine");
      JsonNode pass = summary.path(guarantee).path("pass-through");
      if (!engine.isMissingNode() && !pass.isMissingNode()) {
        ((ObjectNode) summary.get(guarantee)).put("warm_p99_ratio",
            round(engine.path("warm").path("committed_p99_ms").asDouble() / pass.path("warm").path("committed_p99_ms").asDouble()));
      }
      if (!engine.isMissingNode()) {
        double warmP99 = engine.path("warm").path("committed_p99_ms").asDouble();
        ((ObjectNode) summary.get(guarantee)).put("first_minute_to_warm_p99", round(engine.path("first-minute").path("committed_p99_ms").asDouble() / warmP99))
            .put("restart_to_warm_p99", round(engine.path("restart").path("committed_p99_ms").asDouble() / warmP99));
      }
    }
    return JSON.writeValueAsString(summary);
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  /** A JVM of its own whose output goes to a file, stopped by SIGTERM when closed. */
  static final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildProcess(List<String> command, Path log) throws IOException {
      this.log = log;
      this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** {@code mainClass ARGS} in a JVM with this one's class path. */
    static ChildProcess java(Path log, String mainClass, String... args) throws IOException {
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), mainClass));
      command.addAll(List.of(args));
      return new ChildProcess(command, log);
    }

    /** {@code ./fraudstream ARGS}, as a user starts it. */
    static ChildProcess launcher(Path log, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of("./fraudstream"));
      command.addAll(List.of(args));
      return new ChildProcess(command, log);
    }

    void awaitLine(String text, Duration timeout) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!Files.readString(log).contains(text)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("no '" + text + "' from " + log + (process.isAlive() ? " in " + timeout : " before it ended")
              + ":\n" + Files.readString(log));
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      }
    }
  }
}
