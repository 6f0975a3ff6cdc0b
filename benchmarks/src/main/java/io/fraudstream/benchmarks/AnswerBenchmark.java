package io.fraudstream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.cli.HttpLoad;
import io.fraudstream.engine.cli.Pacing;
import io.fraudstream.engine.kafka.BrokerMain;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The decide endpoint's answer latency, as a payment service sees it: a broker and {@code
 * ./fraudstream run} (exactly-once, the default) in processes of their own, payments posted to
 * {@code /v1/decide} at 25 %, 50 % and 75 % of the engine's maximum, each timed from the request
 * to its answer and, for the same payments, to their decision readable committed on the topic.
 * Beside them, on the same broker, the one-hop pass-through under at-least-once at the same rates.
 *
 * <p>Usage: {@code AnswerBenchmark [seconds per rate] [users] [more options of run]}. The maximum is measured first, in
 * the same shape: {@value #MAX_PHASE} payments posted at once over the client's connections. Prints
 * {@code LATENCY} lines and a {@code SUMMARY} JSON line with {@code answer}.
 */
public final class AnswerBenchmark {

  private static final String SECRET = "answer-benchmark-secret-0123";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double[] LOADS = {0.25, 0.5, 0.75};
  /** Long enough that no answer in the measured phases is a fallback; fallbacks are counted anyway. */
  private static final String DEADLINE_MS = "2000";
  /** Kept-alive connections to the endpoint: enough that a stall of a second at the highest rate still finds one free. */
  private static final int CONNECTIONS = 64;
  private static final int MAX_PHASE = 40_000;
  private static final int UNPACED = 1_000_000_000;

  private AnswerBenchmark() {}

  public static void main(String[] args) throws Exception {
    Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    List<String> engineArgs = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
    if (seconds < 1 || users < 1) {
      throw new IllegalArgumentException("usage: AnswerBenchmark [seconds per rate >= 1] [users >= 1]");
    }
    if (!Files.isRegularFile(Path.of("fraudstream")) || !Files.isRegularFile(Path.of("engine/target/fraudstream.jar"))) {
      throw new IllegalStateException("run from the repository root after './mvnw -q -DskipTests package'");
    }
    List<Transaction> payments = SyntheticGenerator.first(Math.max(MAX_PHASE, 6_000 * seconds), users, 11);
    ObjectNode summary = JSON.createObjectNode();
    int[] rates;
    try (TemporaryDirectory work = TemporaryDirectory.create("answer-benchmark-")) {
      Path dir = work.path();
      Path model = dir.resolve("model.bundle");
      ModelTrainer.train(OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)),
          SECRET.getBytes(StandardCharsets.UTF_8)), ModelTrainer.Settings.defaults("synthetic seed 1")).save(model);
      int[] ports = EmbeddedKafkaBroker.freePorts(3);
      String bootstrap = "127.0.0.1:" + ports[0];
      try (ChildProcess broker = ChildProcess.java(dir.resolve("broker.log"), BrokerMain.class.getName(),
          dir.resolve("broker").toString(), Integer.toString(ports[0]), Integer.toString(ports[1]))) {
        broker.awaitLine("broker running at", Duration.ofSeconds(60));
        Properties client = new Properties();
        client.put("bootstrap.servers", bootstrap);
        URI decide = URI.create("http://127.0.0.1:" + ports[2] + "/v1/decide");
        List<String> run = new ArrayList<>(List.of("run", "--bootstrap-servers", bootstrap, "--model", model.toString(), "--hash-secret",
            SECRET, "--state-dir", dir.resolve("state").toString(), "--http-host", "127.0.0.1", "--http-port", Integer.toString(ports[2]),
            "--decide-max-in-flight", "10000"));
        run.addAll(engineArgs);
        try (ChildProcess engine = ChildProcess.launcher(dir.resolve("engine.log"), run.toArray(String[]::new))) {
          engine.awaitLine("fraudstream is running", Duration.ofMinutes(2));
          // The engine past its first minute, as in service: 20 s gently, then 20 s at 1,000/s; not measured.
          answerAndTime(decide, client, payments.subList(0, 200 * 20), 200, 8_000_000);
          answerAndTime(decide, client, payments.subList(0, 1_000 * 20), 1_000, 9_000_000);
          // The maximum through the endpoint: every request due at once, as many waiting as there are connections.
          long began = System.nanoTime();
          LatencyTimings saturated = answerAndTime(decide, client, payments.subList(0, MAX_PHASE), UNPACED, 10_000_000);
          long lastCommitted = Arrays.stream(saturated.committedNanos).max().orElseThrow();
          int max = (int) Math.round(MAX_PHASE / ((lastCommitted - began) / 1e9));
          rates = Arrays.stream(LOADS).mapToInt(load -> (int) Math.round(max * load)).toArray();
          System.out.printf(Locale.ROOT, "maximum through the endpoint %,d payments/s; rates %s for %d s each; %,d users%n", max,
              Arrays.toString(rates), seconds, users);
          summary.put("max_per_s", max);
          for (int r = 0; r < rates.length; r++) {
            LatencyTimings timings = answerAndTime(decide, client, payments.subList(0, rates[r] * seconds), rates[r], (r + 1) * 1_000_000);
            report(summary, "load_" + Math.round(LOADS[r] * 100), rates[r], timings);
          }
        }
        TopicAdmin.ensureTopics(client, List.of("pass-in", "pass-out"), 4, Set.of());
        try (ChildProcess pass = ChildProcess.java(dir.resolve("pass.log"), PassThroughProcess.class.getName(), bootstrap,
            dir.resolve("pass-state").toString(), "pass-alo", "pass-in", "pass-out", StreamsConfig.AT_LEAST_ONCE)) {
          pass.awaitLine("running", Duration.ofMinutes(2));
          LatencyTimings.feedAndTime(client, "pass-in", "pass-out", false, payments.subList(0, rates[0] * Math.min(seconds, 20)), rates[0],
              10_000_000);
          for (int r = 0; r < rates.length; r++) {
            LatencyTimings timings = LatencyTimings.feedAndTime(client, "pass-in", "pass-out", false,
                payments.subList(0, rates[r] * seconds), rates[r], (r + 1) * 1_000_000);
            LatencyTimings.Figures pass1 = timings.phase("pass-through", "at_least_once", "rate " + rates[r], 0, timings.sentNanos.length).get(0);
            System.out.println(pass1.line());
            put(summary.with("load_" + Math.round(LOADS[r] * 100)), "pass_through_alo", pass1);
          }
        }
      }
    }
    for (String load : List.of("load_25", "load_50", "load_75")) {
      ObjectNode at = summary.with(load);
      double answerP99 = at.path("answer").path("p99_ms").asDouble();
      at.put("answer_p99_over_pass_through_p99", round(answerP99 / at.path("pass_through_alo").path("p99_ms").asDouble()))
          .put("committed_p99_over_answer_p99", round(at.path("committed").path("p99_ms").asDouble() / answerP99));
    }
    ObjectNode line = JSON.createObjectNode();
    line.set("answer", summary);
    line.put("engine_args", String.join(" ", engineArgs));
    System.out.println("SUMMARY " + JSON.writeValueAsString(line));
  }

  /** Posts each payment to the endpoint at {@code rate}, noting when its answer came (negative for a fallback). */
  private static LatencyTimings answerAndTime(URI decide, Properties client, List<Transaction> payments, int rate, int firstId)
      throws Exception {
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    long[] answered = new long[payments.size()];
    LatencyTimings timings;
    try (HttpLoad load = new HttpLoad(decide, CONNECTIONS, "Fraudstream-Deadline-Ms: " + DEADLINE_MS + "\r\n",
        (i, status, body, now) -> {
          if (status != 200) {
            failures.merge(status + " " + body, 1, Integer::sum);
          } else {
            answered[i] = body.contains("\"fallback\":true") ? -now : now;
          }
        })) {
      timings = LatencyTimings.feedAndTime(client, "decisions", true, payments, rate, firstId,
          (i, tx, times) -> load.send(i, TransactionJson.write(tx), times.sentNanos[i]));
    }
    failures.forEach((failure, count) -> System.out.println("FAILED " + count + "x: " + failure));
    if (!failures.isEmpty()) {
      throw new IllegalStateException("the endpoint did not answer every payment");
    }
    System.arraycopy(answered, 0, timings.answeredNanos, 0, answered.length);
    return timings;
  }

  private static void report(ObjectNode summary, String load, int rate, LatencyTimings timings) {
    long[] answered = new long[timings.sentNanos.length];
    int fallbacks = 0;
    for (int i = 0; i < answered.length; i++) {
      fallbacks += timings.answeredNanos[i] < 0 ? 1 : 0;
      answered[i] = (Math.abs(timings.answeredNanos[i]) - timings.sentNanos[i]) / 1_000;
    }
    Arrays.sort(answered);
    LatencyTimings.Figures answer = new LatencyTimings.Figures("engine", "exactly_once_v2", "rate " + rate, "answer", answered.length,
        Pacing.percentile(answered, 0.5) / 1000.0, Pacing.percentile(answered, 0.99) / 1000.0, Pacing.percentile(answered, 0.999) / 1000.0);
    List<LatencyTimings.Figures> figures = timings.phase("engine", "exactly_once_v2", "rate " + rate, 0, answered.length);
    System.out.println(answer.line() + (fallbacks > 0 ? " (" + fallbacks + " fallbacks)" : ""));
    figures.forEach(f -> System.out.println(f.line()));
    ObjectNode at = summary.with(load).put("rate", rate).put("fallbacks", fallbacks);
    put(at, "answer", answer);
    put(at, "committed", figures.get(0));
  }

  private static void put(ObjectNode at, String name, LatencyTimings.Figures figures) {
    at.with(name).put("p50_ms", round(figures.p50())).put("p99_ms", round(figures.p99())).put("p999_ms", round(figures.p999()));
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
