package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.kafka.BrokerMain;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.SyntheticGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker, in a JVM of its own, stopped while the engine runs and started again on the
 * same ports and log directory: readiness turns false while it is away and true when it is back,
 * and every payment, before and after, is decided exactly once without restarting the engine.
 */
@Tag("broker")
class BrokerRestartIntegrationTest {

  private static final String PROBE_TOPIC = "broker-probe";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void shouldRecoverWithoutARestartAndLoseNothingWhenTheBrokerGoesAway(@TempDir Path dir) throws Exception {
    int[] ports = EmbeddedKafkaBroker.freePorts(2);
    int brokerPort = ports[0];
    int controllerPort = ports[1];
    String bootstrap = "127.0.0.1:" + brokerPort;
    String[] brokerArgs = {dir.resolve("kafka").toString(), Integer.toString(brokerPort), Integer.toString(controllerPort)};
    EngineProcess broker = EngineProcess.startMain(BrokerMain.class.getName(), brokerArgs).awaitOutput("broker running", Duration.ofSeconds(60));
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(150, 20, 31)).subList(0, 2_000);
    EngineConfig defaults = EngineConfig.defaults(bootstrap, dir.resolve("state"), new String(TestModels.SECRET, StandardCharsets.UTF_8));
    KafkaProfile profile = KafkaProfile.parse(System.getProperty("fraudstream.profile", defaults.profile().toString()));
    EngineConfig config = new EngineConfig(bootstrap, defaults.applicationId(), defaults.topics(), defaults.stateDir(),
        defaults.hashSecret(), defaults.blockDuration(), defaults.partitions(), defaults.streamThreads(), defaults.processingGuarantee(),
        profile, profile.commitInterval(), defaults.grace(), defaults.acceptedTimes(), defaults.kafka(),
        new EngineConfig.Serving(null, null, null, Duration.ofSeconds(5), "127.0.0.1", 0), defaults.challenges());
    try (FraudEngine engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60));
         DecisionReader reader = new DecisionReader(bootstrap, config.topics().decisions())) {
      URI ready = URI.create("http://127.0.0.1:" + engine.httpPort() + "/health/ready");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic(PROBE_TOPIC, config.partitions(), (short) 1))).all().get();
      }
      PaymentSender.send(bootstrap, payments.subList(0, 1_000));
      reader.awaitAll(payments.subList(0, 1_000).stream().map(Transaction::id).toList(), Duration.ofSeconds(60), Duration.ZERO);
      assertEquals(200, awaitStatus(ready, 200, Duration.ofSeconds(10)));

      long stopped = System.nanoTime();
      // Killed with -9, as a crash would. The broker then comes back, in some runs, with
      // transactions left open on some partitions; the engine's watchdog must abort them (see
      // HangingTransactions), or the engine stays in REBALANCING for good.
      broker.kill();
      broker.awaitExit(Duration.ofSeconds(60));
      awaitStatus(ready, 503, Duration.ofSeconds(20));
      double notReadyAfter = (System.nanoTime() - stopped) / 1e9;
      broker = EngineProcess.startMain(BrokerMain.class.getName(), brokerArgs).awaitOutput("broker running", Duration.ofSeconds(60));
      long restarted = System.nanoTime();
      awaitStatus(ready, 200, Duration.ofSeconds(60));
      double readyAfter = (System.nanoTime() - restarted) / 1e9;
      // The test's own producer must be able to write first: the engine is what is under test.
      Duration writableAfter = PaymentSender.awaitWritable(bootstrap, PROBE_TOPIC, config.partitions(), Duration.ofSeconds(90));

      PaymentSender.send(bootstrap, payments.subList(1_000, payments.size()));
      long resumed = System.nanoTime();
      reader.awaitAll(payments.stream().map(Transaction::id).toList(), Duration.ofSeconds(120), Duration.ofSeconds(3));
      double decidedAfter = (System.nanoTime() - resumed) / 1e9;
      Map<String, DecisionReader.Seen> seen = reader.seen();
      assertEquals(List.of(), payments.stream().filter(tx -> seen.get(tx.id()).count() != 1).map(Transaction::id).limit(20).toList(),
          "payments decided more than once");
      // A rebalance may still be under way (a thread fenced by the restart rejoins late): it must end.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (engine.streams().state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(KafkaStreams.State.RUNNING, engine.streams().state());
      assertFalse(engine.failed());
      // The decide endpoint outlives the broker too: its producer writes, and its reader of
      // committed decisions, which lost the broker for seconds, still settles the answer.
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.httpPort() + "/v1/decide"))
          .header("Fraudstream-Deadline-Ms", "20000").timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"after-restart\",\"timestamp\":\"" + Instant.now()
              + "\",\"user\":\"u-after\",\"amount\":12}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"fallback\":false"), answer.body());
      long settleBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (engine.registry().counter("fraudstream.answers.confirmed").count() < 1 && System.nanoTime() < settleBy) {
        Thread.sleep(100);
      }
      assertEquals(1.0, engine.registry().counter("fraudstream.answers.confirmed").count(), "the answer settled after the restart");
      System.out.printf("broker killed with -9 (" + profile + " profile): not ready %.1f s after, ready %.1f s after the restart, "
          + "a new producer could write %.1f s after the engine was ready, "
          + "the next 1,000 payments decided %.1f s after they were sent; %d payments, %d decision records; "
          + "%.0f hanging transactions aborted%n", notReadyAfter, readyAfter, writableAfter.toMillis() / 1e3, decidedAfter,
          payments.size(), reader.records(),
          engine.registry().counter("fraudstream.hanging.transactions.aborted").count());
    } finally {
      broker.close();
    }
  }

  /** Polls the endpoint until it answers {@code status}; fails with the last answer after the timeout. */
  private int awaitStatus(URI uri, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      last = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      if (last.statusCode() == status) {
        return status;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(uri + " answered " + (last == null ? "nothing" : last.statusCode() + " " + last.body().trim())
        + ", not " + status + ", for " + timeout);
  }
}
