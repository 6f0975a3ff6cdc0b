package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.cli.Pacing;
import io.fraudstream.engine.kafka.BrokerMain;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faults of a replicated cluster, as {@code docker/compose.yaml} runs it: three KRaft nodes,
 * each in a JVM of its own, everything replicated three times with two replicas in sync
 * required. Under load, the node leading most of the payment and decision partitions is killed
 * with -9 and started again; then the same with the engine killed at the same moment. Every
 * payment is decided exactly once, on the user state the offline replay computes, and the
 * engine never needed its watchdog for hanging transactions.
 */
@Tag("broker")
class ClusterFaultsIntegrationTest {

  private static final String SECRET = new String(TestModels.SECRET, StandardCharsets.UTF_8);
  private static final int NODES = 3;
  private static final int RATE = 200;
  @TempDir
  Path dir;
  private final EngineProcess[] nodes = new EngineProcess[NODES];
  private final List<String[]> nodeArgs = new ArrayList<>();
  private final List<EngineProcess> engines = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private String bootstrap;

  @AfterEach
  void stop() throws InterruptedException {
    for (EngineProcess engine : engines) {
      engine.close();
    }
    for (EngineProcess node : nodes) {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  void shouldLoseAndRepeatNothingWhenALeaderIsKilledAloneAndWithTheEngine() throws Exception {
    startCluster();
    Path model = dir.resolve("model.bundle");
    TestModels.bundle().save(model);
    int httpPort = EmbeddedKafkaBroker.freePorts(1)[0];
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 25, 37)).subList(0, 8_000);
    EngineProcess engine = engine(model, httpPort);
    AtomicReference<Exception> feedFailed = new AtomicReference<>();
    try (DecisionReader reader = new DecisionReader(bootstrap, "decisions")) {
      Thread feeder = feed(payments, feedFailed);
      reader.awaitCount(1_000, Duration.ofSeconds(90));

      // A leader killed under load, alone: the two other nodes take its partitions over.
      int leader = busiestLeader();
      int killedAlone = leader;
      nodes[leader - 1].kill();
      int beforeKill = reader.seen().size();
      reader.awaitCount(beforeKill + 1_000, Duration.ofSeconds(90));
      int decidedWithoutIt = reader.seen().size() - beforeKill;
      startNode(leader);

      // The leader again, with the engine: its open transaction is fenced by the restarted one.
      reader.awaitCount(reader.seen().size() + 500, Duration.ofSeconds(90));
      double abortedByFirst = hangingTransactionsAborted(httpPort);
      leader = busiestLeader();
      engine.kill();
      nodes[leader - 1].kill();
      int beforeBothKilled = reader.seen().size();
      startNode(leader);
      engine = engine(model, httpPort);

      feeder.join();
      assertNull(feedFailed.get(), "the feed's producer lost payments");
      reader.awaitAll(payments.stream().map(Transaction::id).toList(), Duration.ofSeconds(180), Duration.ofSeconds(3));
      Map<String, DecisionReader.Seen> seen = reader.seen();
      assertEquals(List.of(), payments.stream().filter(tx -> seen.get(tx.id()).count() != 1).map(Transaction::id).limit(20).toList(),
          "payments decided more than once");
      assertEquals(payments.size(), seen.size(), "decisions of payments that were not sent");
      assertTrue(beforeBothKilled < payments.size(), "the second kill came mid-stream: " + beforeBothKilled + " decided before it");
      reader.assertUserFeaturesAre(OfflineReplay.replay(payments, TestModels.SECRET));
      double abortedBySecond = hangingTransactionsAborted(httpPort);
      assertEquals(0.0, abortedByFirst + abortedBySecond, "a replicated cluster left no hanging transaction to abort");
      System.out.printf("three nodes: %d payments; %d decided while node %d was down; node %d and the engine killed together after %d;"
          + " %d decision records, none lost or repeated; hanging transactions aborted: 0%n", payments.size(), decidedWithoutIt,
          killedAlone, leader, beforeBothKilled, reader.records());
    }
  }

  /** Starts the three nodes at once (a node waits for a quorum before it serves) and waits for each. */
  private void startCluster() throws Exception {
    int[] ports = EmbeddedKafkaBroker.freePorts(2 * NODES);
    StringJoiner voters = new StringJoiner(",");
    StringJoiner brokers = new StringJoiner(",");
    for (int node = 1; node <= NODES; node++) {
      voters.add(node + "@127.0.0.1:" + ports[2 * node - 1]);
      brokers.add("127.0.0.1:" + ports[2 * node - 2]);
    }
    String clusterId = Uuid.randomUuid().toString();
    for (int node = 1; node <= NODES; node++) {
      nodeArgs.add(new String[] {dir.resolve("kafka-" + node).toString(), Integer.toString(ports[2 * node - 2]),
          Integer.toString(ports[2 * node - 1]), Integer.toString(node), voters.toString(), clusterId});
      nodes[node - 1] = EngineProcess.startMain(BrokerMain.class.getName(), nodeArgs.get(node - 1));
    }
    for (EngineProcess node : nodes) {
      node.awaitOutput("broker running", Duration.ofSeconds(90));
    }
    bootstrap = brokers.toString();
  }

  /** Starts node {@code id} again over its log directory and ports, and waits until it serves. */
  private void startNode(int id) throws Exception {
    nodes[id - 1].awaitExit(Duration.ofSeconds(30));
    nodes[id - 1] = EngineProcess.startMain(BrokerMain.class.getName(), nodeArgs.get(id - 1))
        .awaitOutput("broker running", Duration.ofSeconds(90));
  }

  private EngineProcess engine(Path model, int httpPort) throws Exception {
    EngineProcess engine = EngineProcess.start("run", "--bootstrap-servers", bootstrap, "--model", model.toString(),
        "--state-dir", dir.resolve("state").toString(), "--hash-secret", SECRET, "--http-port", Integer.toString(httpPort));
    engines.add(engine);
    return engine.awaitOutput("fraudstream is running", Duration.ofSeconds(120));
  }

  /** The node leading most partitions of {@code transactions} and {@code decisions} now. */
  private int busiestLeader() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Collection<TopicDescription> topics = admin.describeTopics(List.of("transactions", "decisions")).allTopicNames()
          .get(30, TimeUnit.SECONDS).values();
      Map<Integer, Long> led = topics.stream().flatMap(topic -> topic.partitions().stream()).map(TopicPartitionInfo::leader)
          .filter(leader -> leader != null).collect(Collectors.groupingBy(leader -> leader.id(), Collectors.counting()));
      return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }
  }

  /** Sends the payments at {@link #RATE} a second, acknowledged by two replicas, in a thread of its own. */
  private Thread feed(List<Transaction> payments, AtomicReference<Exception> failed) {
    Thread feeder = new Thread(() -> {
      Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 1);
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
        long start = System.nanoTime();
        for (int i = 0; i < payments.size(); i++) {
          Pacing.awaitTurn(start, i, RATE);
          Transaction tx = payments.get(i);
          producer.send(new ProducerRecord<>("transactions", tx.user(), TransactionJson.write(tx)), (metadata, e) -> {
            if (e != null) {
              failed.compareAndSet(null, e);
            }
          });
        }
      } catch (RuntimeException e) {
        failed.compareAndSet(null, e);
      }
    }, "feeder");
    feeder.start();
    return feeder;
  }

  /** {@code fraudstream_hanging_transactions_aborted_total} of the engine serving on {@code httpPort}. */
  private double hangingTransactionsAborted(int httpPort) throws Exception {
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    Function<String, Double> value = line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    return metrics.body().lines().filter(line -> line.startsWith("fraudstream_hanging_transactions_aborted_total")).map(value)
        .findFirst().orElseThrow(() -> new AssertionError("no hanging-transactions counter in /metrics"));
  }
}
