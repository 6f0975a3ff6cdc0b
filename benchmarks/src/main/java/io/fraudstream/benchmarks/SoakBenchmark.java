package io.fraudstream.benchmarks;

import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.kafka.BrokerMain;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The engine at a steady rate for a long time, in the production shape (a broker, {@code
 * ./fraudstream run} and this load each in its own process): whether anything grows without
 * bound or the tail drifts. Per window of sends it reports the committed decision's p50, p99 and
 * p99.9, and at the window's end the engine's heap in use and old generation (from {@code
 * jstat}), its resident set (from {@code /proc}), its state directory on disk and the changelogs
 * on the broker.
 *
 * <p>Usage, from the repository root after {@code ./mvnw -q -DskipTests package}:
 * {@code SoakBenchmark [minutes=30] [rate=750] [users=100000] [window minutes=5]}. The last line is
 * {@code SUMMARY} and one JSON array, a row per window.
 */
public final class SoakBenchmark {

  private static final String SECRET = "soak-secret-0123456789";

  private SoakBenchmark() {}

  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 750;
    int users = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    if (minutes < 1 || rate < 1 || users < 1 || window < 1 || window > minutes) {
      throw new IllegalArgumentException("usage: SoakBenchmark [minutes>=1] [rate>=1] [users>=1] [window minutes, 1 to minutes]");
    }
    if (!Files.isRegularFile(Path.of("fraudstream")) || !Files.isRegularFile(Path.of("engine/target/fraudstream.jar"))) {
      throw new IllegalStateException("run from the repository root after './mvnw -q -DskipTests package'");
    }
    List<Transaction> payments = SyntheticGenerator.first(minutes * 60 * rate, users, 11);
    System.out.printf(Locale.ROOT, "%,d payments of %,d users at %,d/s for %d min, windows of %d min%n", payments.size(), users, rate,
        minutes, window);
    try (TemporaryDirectory work = TemporaryDirectory.create("soak-")) {
      Path dir = work.path();
      Path model = dir.resolve("model.bundle");
      ModelTrainer.train(OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)),
          SECRET.getBytes(StandardCharsets.UTF_8)), ModelTrainer.Settings.defaults("synthetic seed 1")).save(model);
      int[] ports = EmbeddedKafkaBroker.freePorts(2);
      String bootstrap = "127.0.0.1:" + ports[0];
      Path state = dir.resolve("state");
      try (ChildProcess broker = ChildProcess.java(dir.resolve("broker.log"), BrokerMain.class.getName(), dir.resolve("broker").toString(),
          Integer.toString(ports[0]), Integer.toString(ports[1]));
           ChildProcess engine = startEngine(dir, bootstrap, model, state);
           Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        broker.awaitLine("broker running at", Duration.ofSeconds(60));
        engine.awaitLine("fraudstream is running", Duration.ofMinutes(2));
        List<String> resources = new ArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        long windowNanos = TimeUnit.MINUTES.toNanos(window);
        sampler.scheduleAtFixedRate(() -> resources.add(sample(engine, state, admin)), windowNanos, windowNanos,
            TimeUnit.NANOSECONDS);
        Properties client = new Properties();
        client.put("bootstrap.servers", bootstrap);
        LatencyTimings timings = LatencyTimings.feedAndTime(client, "transactions", "decisions", true, payments, rate, 0);
        sampler.shutdown();
        sampler.awaitTermination(1, TimeUnit.MINUTES);
        List<String> rows = new ArrayList<>();
        int step = rate * 60 * window;
        for (int w = 0; (w + 1) * step <= payments.size(); w++) {
          LatencyTimings.Figures committed = timings.phase("engine", "exactly_once_v2", "minute " + w * window, w * step, (w + 1) * step)
              .get(0);
          String at = w < resources.size() ? resources.get(w) : "{}";
          String row = String.format(Locale.ROOT, "{\"from_minute\":%d,\"committed\":{\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"p999_ms\":%.1f},"
              + "\"at_end\":%s}", w * window, committed.p50(), committed.p99(), committed.p999(), at);
          System.out.println("WINDOW " + row);
          rows.add(row);
        }
        System.out.println("SUMMARY [" + String.join(",", rows) + "]");
      }
    }
  }

  private static ChildProcess startEngine(Path dir, String bootstrap, Path model, Path state) throws IOException {
    return ChildProcess.launcher(dir.resolve("engine.log"), "run", "--bootstrap-servers", bootstrap, "--model", model.toString(),
        "--hash-secret", SECRET, "--state-dir", state.toString(), "--http-port", "-1");
  }

  /** The engine's heap in use, resident set, state on disk and changelogs on the broker, in MB, as JSON. */
  private static String sample(ChildProcess engine, Path state, Admin admin) {
    try {
      // jstat -gc: capacities and use of each space in KB; S0U S1U EU OU are the heap in use, OU the old generation.
      Path jstat = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jstat");
      Process gc = new ProcessBuilder(jstat.toString(), "-gc", Long.toString(engine.pid())).redirectErrorStream(true).start();
      List<String> lines = new String(gc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      gc.waitFor(30, TimeUnit.SECONDS);
      List<String> names = List.of(lines.get(0).trim().split("\\s+"));
      List<String> values = List.of(lines.get(1).trim().split("\\s+"));
      double oldKb = Double.parseDouble(values.get(names.indexOf("OU")));
      double heapKb = oldKb + Stream.of("S0U", "S1U", "EU").mapToDouble(name -> Double.parseDouble(values.get(names.indexOf(name)))).sum();
      long rssKb = Files.readAllLines(Path.of("/proc/" + engine.pid() + "/status")).stream().filter(line -> line.startsWith("VmRSS:"))
          .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
      long stateBytes;
      try (Stream<Path> files = Files.walk(state)) {
        stateBytes = files.filter(Files::isRegularFile).mapToLong(SoakBenchmark::sizeOf).sum();
      }
      long changelogBytes = 0;
      for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(List.of(1)).allDescriptions().get(30, TimeUnit.SECONDS).values()) {
        for (LogDirDescription description : dirs.values()) {
          for (Map.Entry<TopicPartition, ReplicaInfo> replica : description.replicaInfos().entrySet()) {
            if (replica.getKey().topic().endsWith("-changelog")) {
              changelogBytes += replica.getValue().size();
            }
          }
        }
      }
      String sample = String.format(Locale.ROOT, "{\"heap_mb\":%.0f,\"old_gen_mb\":%.0f,\"rss_mb\":%d,\"state_mb\":%.1f,"
          + "\"changelogs_mb\":%.1f}", heapKb / 1024, oldKb / 1024, rssKb / 1024, stateBytes / 1e6, changelogBytes / 1e6);
      System.out.println("SAMPLE " + sample);
      return sample;
    } catch (Exception e) {
      System.out.println("SAMPLE failed: " + e);
      return "{}";
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      // RocksDB removes files while it compacts: one gone since the walk saw it counts for nothing.
      if (Files.exists(file)) {
        throw new UncheckedIOException(e);
      }
      return 0;
    }
  }
}
