package io.fraudstream.benchmarks;

import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.cli.Pacing;
import io.fraudstream.engine.kafka.BrokerMain;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Exactly-once under repeated kill -9: a broker in its own JVM, one or two {@code ./fraudstream
 * run} instances killed with -9 at random moments (one in four during a start or restore) and started
 * again, with the payments written before the engines start (pre-loaded) or fed while they are
 * killed (live). Every payment is then counted on {@code decisions}, read {@code read_committed}:
 * none may be missing, none decided twice.
 *
 * <p>Usage, from the repository root after {@code ./mvnw -q -DskipTests package}:
 * {@code KillNineBenchmark [kills per run=6] [payments=20000] [live rate=250] [seed=1]}; four runs
 * (pre-loaded and live, one and two instances), so four times the kills in all. The last line is
 * {@code SUMMARY} and one JSON object.
 */
public final class KillNineBenchmark {

  private static final String SECRET = "kill-nine-secret-0123456789";

  private KillNineBenchmark() {}

  public static void main(String[] args) throws Exception {
    int kills = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 250;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
    if (kills < 1 || count < 1 || rate < 1) {
      throw new IllegalArgumentException("usage: KillNineBenchmark [kills per run>=1] [payments>=1] [live rate>=1] [seed]");
    }
    if (!Files.isRegularFile(Path.of("fraudstream")) || !Files.isRegularFile(Path.of("engine/target/fraudstream.jar"))) {
      throw new IllegalStateException("run from the repository root after './mvnw -q -DskipTests package'");
    }
    List<String> results = new ArrayList<>();
    try (TemporaryDirectory work = TemporaryDirectory.create("kill-nine-")) {
      Path model = work.path().resolve("model.bundle");
      ModelTrainer.train(OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)),
          SECRET.getBytes(StandardCharsets.UTF_8)), ModelTrainer.Settings.defaults("synthetic seed 1")).save(model);
      Random random = new Random(seed);
      int run = 0;
      for (boolean live : new boolean[] {false, true}) {
        for (int instances = 1; instances <= 2; instances++) {
          List<Transaction> payments = SyntheticGenerator.first(count, 2_000, seed + run);
          results.add(run(work.path().resolve("run-" + run++), model, payments, live, instances, kills, rate, random));
        }
      }
    }
    System.out.println("SUMMARY [" + String.join(",", results) + "]");
  }

  private static String run(Path dir, Path model, List<Transaction> payments, boolean live, int instances, int kills, int rate,
      Random random) throws Exception {
    Files.createDirectories(dir);
    int[] ports = EmbeddedKafkaBroker.freePorts(2);
    String bootstrap = "127.0.0.1:" + ports[0];
    Map<String, Integer> decided = new ConcurrentHashMap<>();
    AtomicInteger sent = new AtomicInteger();
    List<ChildProcess> engines = new ArrayList<>();
    int starts = 0;
    try (ChildProcess broker = ChildProcess.java(dir.resolve("broker.log"), BrokerMain.class.getName(), dir.resolve("broker").toString(),
        Integer.toString(ports[0]), Integer.toString(ports[1]))) {
      broker.awaitLine("broker running at", Duration.ofSeconds(60));
      AtomicBoolean feedStop = new AtomicBoolean();
      AtomicBoolean readStop = new AtomicBoolean();
      Thread feeder = null;
      if (!live) {
        // Pre-loaded: the engine's start creates the topics, so the first start comes before the writes.
        engines.add(startEngine(dir, bootstrap, model, "a", starts++));
        engines.get(0).awaitLine("fraudstream is running", Duration.ofMinutes(2));
        feed(bootstrap, payments, 0, sent, feedStop);
      } else {
        engines.add(startEngine(dir, bootstrap, model, "a", starts++));
        engines.get(0).awaitLine("fraudstream is running", Duration.ofMinutes(2));
      }
      for (int i = 1; i < instances; i++) {
        engines.add(startEngine(dir, bootstrap, model, Character.toString('a' + i), starts++));
      }
      Thread reader = new Thread(() -> read(bootstrap, decided, readStop), "decision-reader");
      reader.start();
      if (live) {
        feeder = new Thread(() -> feed(bootstrap, payments, rate, sent, feedStop), "feeder");
        feeder.start();
      }
      long started = System.nanoTime();
      for (int kill = 0; kill < kills; kill++) {
        int victim = random.nextInt(engines.size());
        // A random moment: one kill in four while the instance starts (restoring, or warming up),
        // the others 1 to 8 s after it is running, with payments flowing.
        if (random.nextInt(4) > 0) {
          engines.get(victim).awaitLine("fraudstream is running", Duration.ofMinutes(3));
        }
        TimeUnit.MILLISECONDS.sleep(1_000 + random.nextInt(7_000));
        engines.get(victim).kill();
        System.out.printf(Locale.ROOT, "  kill %d of instance %c at %.1f s: %,d sent, %,d decided%n", kill + 1, 'a' + victim,
            (System.nanoTime() - started) / 1e9, sent.get(), decided.size());
        engines.set(victim, startEngine(dir, bootstrap, model, Character.toString('a' + victim), starts++));
      }
      for (ChildProcess engine : engines) {
        engine.awaitLine("fraudstream is running", Duration.ofMinutes(3));
      }
      if (feeder != null) {
        // Payments after the last restart too, so that the last start is tested under load.
        TimeUnit.SECONDS.sleep(5);
        feedStop.set(true);
        feeder.join();
      }
      int expected = sent.get();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (decided.size() < expected && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
      // Quiet time, for a repeat that would come late.
      TimeUnit.SECONDS.sleep(5);
      readStop.set(true);
      reader.join();
      Set<String> sentIds = payments.subList(0, expected).stream().map(Transaction::id).collect(Collectors.toSet());
      long missing = sentIds.stream().filter(id -> !decided.containsKey(id)).count();
      long twice = decided.values().stream().filter(n -> n > 1).count();
      long unknown = decided.keySet().stream().filter(id -> !sentIds.contains(id)).count();
      String line = String.format(Locale.ROOT, "{\"feed\":\"%s\",\"instances\":%d,\"kills\":%d,\"payments\":%d,\"decided\":%d,"
          + "\"missing\":%d,\"decided_twice\":%d,\"never_sent\":%d}", live ? "live" : "pre-loaded", instances, kills, expected,
          decided.size(), missing, twice, unknown);
      System.out.println((missing == 0 && twice == 0 && unknown == 0 ? "OK   " : "FAIL ") + line);
      return line;
    } finally {
      for (ChildProcess engine : engines) {
        engine.kill();
      }
    }
  }

  private static ChildProcess startEngine(Path dir, String bootstrap, Path model, String instance, int start) throws Exception {
    return ChildProcess.launcher(dir.resolve("engine-" + instance + "-" + start + ".log"), "run", "--bootstrap-servers", bootstrap,
        "--model", model.toString(), "--hash-secret", SECRET, "--state-dir", dir.resolve("state-" + instance).toString(),
        "--http-port", "-1");
  }

  /** Writes the payments, at {@code rate} a second (0: at once), until done or stopped; counts each acknowledged one. */
  private static void feed(String bootstrap, List<Transaction> payments, int rate, AtomicInteger sent, AtomicBoolean stop) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      long start = System.nanoTime();
      for (int i = 0; i < payments.size() && !stop.get(); i++) {
        Pacing.awaitTurn(start, i, rate);
        Transaction tx = payments.get(i);
        producer.send(new ProducerRecord<>("transactions", tx.user(), TransactionJson.write(tx)));
        sent.incrementAndGet();
      }
      producer.flush();
    }
  }

  /** Counts every committed decision record by payment id until stopped. */
  private static void read(String bootstrap, Map<String, Integer> decided, AtomicBoolean stop) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "kill-nine-reader-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("decisions"));
      while (!stop.get()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          decided.merge(record.key(), 1, Integer::sum);
        }
      }
    }
  }
}
