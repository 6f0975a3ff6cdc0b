package io.fraudstream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.kafka.BrokerMain;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
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
    List<Transaction> payments = SyntheticGenerator.first(total, users, 7);
    System.out.printf(Locale.ROOT, "%,d payments of %,d users at %,d/s: first %d s, warm-up %d s, measured %d s%n",
        total, users, rate, first, warmup, measure);
    List<LatencyTimings.Figures> all = new ArrayList<>();
    try (TemporaryDirectory work = TemporaryDirectory.create("production-shape-")) {
      Path model = work.path().resolve("model.bundle");
      ModelTrainer.train(OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)),
          SECRET.getBytes(StandardCharsets.UTF_8)), ModelTrainer.Settings.defaults("synthetic seed 1")).save(model);
      int run = 0;
      for (String guarantee : guarantees) {
        for (String app : apps) {
          run++;
          List<LatencyTimings.Figures> figures = measure(work.path().resolve("run-" + run), app, guarantee, model, payments, rate, first, warmup);
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

  private static List<LatencyTimings.Figures> measure(Path dir, String app, String guarantee, Path model, List<Transaction> payments, int rate,
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
      List<LatencyTimings.Figures> figures = new ArrayList<>();
      try (ChildProcess process = engine ? startEngine(dir, "engine.log", bootstrap, model, guarantee)
          : ChildProcess.java(dir.resolve("pass.log"), PassThroughProcess.class.getName(), bootstrap, dir.resolve("state").toString(),
              "pass-" + guarantee, input, output, guarantee)) {
        process.awaitLine(engine ? "fraudstream is running" : "running", Duration.ofMinutes(2));
        LatencyTimings timings = LatencyTimings.feedAndTime(client, input, output, engine, payments, rate, 0);
        process.close();
        System.out.println(timings.timeline(app + " " + guarantee + " first start", rate));
        figures.addAll(timings.figures(app, guarantee, rate, first, warmup));
      }
      if (engine) {
        // A deploy: the same engine stopped by SIGTERM and started again on its state, the broker warm.
        try (ChildProcess process = startEngine(dir, "engine-restart.log", bootstrap, model, guarantee)) {
          process.awaitLine("fraudstream is running", Duration.ofMinutes(2));
          LatencyTimings timings = LatencyTimings.feedAndTime(client, input, output, true, payments.subList(0, Math.min(payments.size(), rate * first)), rate,
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
      LatencyTimings.feedAndTime(client, "broker-warm-up-in", "broker-warm-up-out", false, payments.subList(0, count), rate, 0);
    }
  }

  /** The warm and first-minute p99s of each app and guarantee, and the ratios the issue sets targets on. */
  static String summary(List<LatencyTimings.Figures> figures) throws IOException {
    ObjectNode summary = JSON.createObjectNode();
    for (LatencyTimings.Figures f : figures) {
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

}
