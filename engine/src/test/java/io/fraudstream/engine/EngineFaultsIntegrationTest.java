package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.engine.cli.FraudstreamCli;
import io.fraudstream.engine.cli.Pacing;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.DatasetWriter;
import io.fraudstream.models.data.SyntheticGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the engine's own process, with {@code fraudstream run} in JVMs of its own and the
 * broker in the test's: kill -9 under exactly-once, a second instance taking over from a killed
 * one, a fatal error, and a cluster that is not there. Each test has a broker of its own, since
 * {@code run} writes to the default topic names.
 */
@Tag("broker")
class EngineFaultsIntegrationTest {

  private static final String SECRET = new String(TestModels.SECRET, StandardCharsets.UTF_8);
  @TempDir
  Path dir;
  private EmbeddedKafkaBroker broker;
  private Path model;
  private final List<EngineProcess> engines = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    broker = EmbeddedKafkaBroker.startTemporary();
    model = dir.resolve("model.bundle");
    TestModels.bundle().save(model);
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (EngineProcess engine : engines) {
      engine.close();
    }
    broker.close();
  }

  private EngineProcess engine(String stateDir, String... more) throws Exception {
    return engineServing(stateDir, "-1", more);
  }

  private EngineProcess engineServing(String stateDir, String httpPort, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", broker.bootstrapServers(), "--model", model.toString(),
        "--state-dir", dir.resolve(stateDir).toString(), "--hash-secret", SECRET, "--http-port", httpPort));
    args.addAll(List.of(more));
    EngineProcess engine = EngineProcess.start(args.toArray(String[]::new));
    engines.add(engine);
    return engine.awaitOutput("fraudstream is running", Duration.ofSeconds(90));
  }

  /** Sends payments at {@code rate} per second in a thread of its own; remembers when each was sent. */
  private Thread feed(List<Transaction> payments, int rate, Map<String, Long> sentAt) {
    Thread feeder = new Thread(() -> {
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
        long start = System.nanoTime();
        for (int i = 0; i < payments.size(); i++) {
          Pacing.awaitTurn(start, i, rate);
          Transaction tx = payments.get(i);
          sentAt.put(tx.id(), System.nanoTime());
          producer.send(new ProducerRecord<>("transactions", tx.user(), TransactionJson.write(tx)));
        }
      }
    }, "feeder");
    feeder.start();
    return feeder;
  }

  private static List<String> ids(List<Transaction> payments) {
    return payments.stream().map(Transaction::id).toList();
  }

  /**
   * Per payment, one alert for each CHALLENGE or BLOCK decision and one block for each decision
   * that places one: none lost or written twice across a kill. Returns how many of each.
   */
  private int[] assertAlertsAndBlocksMatch(Map<String, DecisionReader.Seen> seen) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    Map<String, Long> alerts = TopicContents.readAll(props, "alerts").stream()
        .map(record -> Topics.ALERT_SERDE.deserializer().deserialize(null, record.value()).paymentId())
        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    Map<String, Long> blocks = TopicContents.readAll(props, "blocks").stream().filter(record -> record.value() != null)
        .map(record -> Topics.BLOCK_SERDE.deserializer().deserialize(null, record.value()).paymentId())
        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    Map<String, Long> suspicious = seen.values().stream().map(DecisionReader.Seen::first).filter(d -> d.tier() != Tier.ALLOW)
        .collect(Collectors.toMap(Decision::paymentId, d -> 1L));
    Map<String, Long> placing = seen.values().stream().map(DecisionReader.Seen::first).filter(Decision::placesBlock)
        .collect(Collectors.toMap(Decision::paymentId, d -> 1L));
    assertFalse(suspicious.isEmpty() || placing.isEmpty(), "no alert or no block to compare: " + suspicious.size() + ", " + placing.size());
    assertEquals(suspicious, alerts, "alerts per payment");
    assertEquals(placing, blocks, "blocks per payment");
    return new int[] {alerts.size(), blocks.size()};
  }

  private static void assertExactlyOnce(List<Transaction> payments, Map<String, DecisionReader.Seen> seen) {
    List<String> duplicated = payments.stream().filter(tx -> seen.get(tx.id()).count() != 1).map(Transaction::id).limit(20).toList();
    assertEquals(List.of(), duplicated, "payments decided more than once");
    assertEquals(payments.size(), seen.size(), "decisions of payments that were not sent");
  }

  @Test
  void shouldDecideEveryPaymentOnceAndRestoreUserStateAfterKillNine() throws Exception {
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(150, 20, 21)).subList(0, 3_000);
    EngineProcess first = engine("state");
    try (DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
      Thread feeder = feed(payments, 600, new ConcurrentHashMap<>());
      reader.awaitCount(1_000, Duration.ofSeconds(60));
      first.kill();
      int beforeRestart = reader.seen().size();
      engine("state");
      feeder.join();
      reader.awaitAll(ids(payments), Duration.ofSeconds(120), Duration.ofSeconds(3));
      Map<String, DecisionReader.Seen> seen = reader.seen();
      assertTrue(beforeRestart < payments.size(), "the kill came mid-stream: " + beforeRestart + " decided before it");
      assertExactlyOnce(payments, seen);
      // State restored, not reset: every payment's user features, before and after the kill, are the offline replay's.
      reader.assertUserFeaturesAre(OfflineReplay.replay(payments, TestModels.SECRET));
      int[] written = assertAlertsAndBlocksMatch(seen);
      // The entity side too: across the kill, every payment counted once at its merchant.
      assertProbesSeeEveryPaymentAtTheirMerchants(payments, reader, Duration.ofDays(30), Integer.MAX_VALUE,
          List.of(Feature.MERCHANT_TX_COUNT_7D, Feature.MERCHANT_TX_COUNT_30D));
      System.out.printf("kill -9: %d payments sent, %d decided before the kill, %d decided in all, %d decision records, "
          + "%d alerts and %d blocks, one per decision that calls for it%n", payments.size(), beforeRestart, seen.size(),
          reader.records(), written[0], written[1]);
    }
  }

  @Test
  void shouldDecideEveryPaymentAtLeastOnceAfterKillNineUnderAtLeastOnceAndCountWhatRepeats() throws Exception {
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(150, 20, 24)).subList(0, 3_000);
    EngineProcess first = engine("state", "--processing-guarantee", "at_least_once");
    try (DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
      Thread feeder = feed(payments, 600, new ConcurrentHashMap<>());
      reader.awaitCount(1_000, Duration.ofSeconds(60));
      first.kill();
      int beforeRestart = reader.seen().size();
      engine("state", "--processing-guarantee", "at_least_once");
      feeder.join();
      reader.awaitAll(ids(payments), Duration.ofSeconds(120), Duration.ofSeconds(3));
      Map<String, DecisionReader.Seen> seen = reader.seen();
      assertTrue(beforeRestart < payments.size(), "the kill came mid-stream: " + beforeRestart + " decided before it");
      assertEquals(payments.size(), seen.size(), "every payment decided, and no payment that was not sent");
      List<DecisionReader.Seen> repeated = seen.values().stream().filter(each -> each.count() > 1).toList();
      long tierChanged = repeated.stream().filter(each -> each.first().tier() != each.last().tier()).count();
      // What the guarantee allows (docs/payment-path.md): the payments since the last commit are
      // decided again, and the user's state may count them twice. What it does not allow is a
      // payment never decided, checked above.
      long userFeaturesDiffer = 0;
      for (FeatureRow row : OfflineReplay.replay(payments, TestModels.SECRET)) {
        Map<String, Double> live = seen.get(row.transaction().id()).last().features();
        if (Feature.all().stream().filter(feature -> feature.ordinal() < Feature.MERCHANT_TX_COUNT_1D.ordinal())
            .anyMatch(feature -> Double.compare(row.features().get(feature), live.get(feature.featureName())) != 0)) {
          userFeaturesDiffer++;
        }
      }
      System.out.printf("kill -9 under at_least_once: %d payments, %d decided before the kill, %d decided twice or more "
          + "(%d records in all), %d of those with another tier the second time, %d payments whose last decision's user features "
          + "differ from the offline replay's%n", payments.size(), beforeRestart, repeated.size(), reader.records(), tierChanged,
          userFeaturesDiffer);
    }
  }

  @Test
  void aBackfillSurvivesTheEngineKilledHalfWayAndTheLiveDayStillMeetsTheWholeHistory() throws Exception {
    List<Transaction> all = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(600, 16, 23));
    Instant cutOver = all.get(0).timestamp().plus(Duration.ofDays(15));
    List<Transaction> history = all.stream().filter(tx -> tx.timestamp().isBefore(cutOver)).toList();
    List<Transaction> live = all.stream().filter(tx -> !tx.timestamp().isBefore(cutOver)).toList();
    Path dataset = dir.resolve("history.csv");
    DatasetWriter.write(dataset, history);
    String[] backfill = {"backfill", "--dataset", dataset.toString(), "--bootstrap-servers", broker.bootstrapServers()};

    EngineProcess first = engine("state");
    assertEquals(0, FraudstreamCli.execute(Stream.concat(Stream.of(backfill), Stream.of("--timeout-minutes", "0")).toArray(String[]::new)));
    long applied = awaitBackfillApplied(history.size() / 10);
    first.kill();
    assertTrue(applied < history.size(), "the kill came mid-backfill: " + applied + " of " + history.size() + " applied");

    engine("state");
    // The documented recovery: run the backfill again; what the killed engine had applied is already held.
    assertEquals(0, FraudstreamCli.execute(backfill));
    try (DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
      feed(live, 600, new ConcurrentHashMap<>()).join();
      reader.awaitAll(ids(live), Duration.ofSeconds(120), Duration.ofSeconds(3));
      assertExactlyOnce(live, reader.seen());
      reader.assertUserFeaturesAre(OfflineReplay.replay(all, TestModels.SECRET).subList(history.size(), all.size()));
      System.out.printf("backfill, kill -9: %d payments of history, %d applied before the kill; %d live payments on the whole history%n",
          history.size(), applied, live.size());
    }
  }

  /** Waits until the engine's group has committed at least {@code atLeast} records of the backfill topic; returns how many. */
  private long awaitBackfillApplied(long atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      while (true) {
        long committed = admin.listConsumerGroupOffsets("fraudstream").partitionsToOffsetAndMetadata().get().entrySet().stream()
            .filter(entry -> entry.getKey().topic().equals("backfill") && entry.getValue() != null)
            .mapToLong(entry -> entry.getValue().offset()).sum();
        if (committed >= atLeast) {
          return committed;
        }
        assertTrue(System.nanoTime() < deadline, "the engine applied only " + committed + " backfilled payments in 90 s");
        Thread.sleep(20);
      }
    }
  }

  @Test
  void shouldLetTheSurvivorDecideAKilledInstancesPartitions() throws Exception {
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(250, 25, 22)).subList(0, 6_000);
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    // Settings to compare, for benchmarks/RESULTS.md: -Dfraudstream.failover.args="--kafka-property ..." ({instance} is a or b).
    String extra = System.getProperty("fraudstream.failover.args", "").trim();
    EngineProcess doomed = engine("state-a", extra.isEmpty() ? new String[0] : extra.replace("{instance}", "a").split(" "));
    engine("state-b", extra.isEmpty() ? new String[0] : extra.replace("{instance}", "b").split(" "));
    try (DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
      // Both instances in the group and warm: 2,000 sent at 250/s and all decided, so that a slow
      // start is not counted as takeover. Then 4,000 more at 250/s, and the kill a second into
      // them, with payments in flight.
      Thread feeder = feed(payments.subList(0, 2_000), 250, sentAt);
      feeder.join();
      reader.awaitCount(2_000, Duration.ofSeconds(120));
      feeder = feed(payments.subList(2_000, payments.size()), 250, sentAt);
      Thread.sleep(1_000);
      long killedAt = System.nanoTime();
      doomed.kill();
      feeder.join();
      reader.awaitAll(ids(payments), Duration.ofSeconds(120), Duration.ofSeconds(3));
      Map<String, DecisionReader.Seen> seen = reader.seen();
      assertExactlyOnce(payments, seen);
      // The survivor's takeover: the longest send-to-readable time of the payments sent after the kill.
      long worstAfterKill = 0;
      long sentAfterKill = 0;
      for (Transaction tx : payments) {
        long sent = sentAt.get(tx.id());
        if (sent >= killedAt) {
          sentAfterKill++;
          worstAfterKill = Math.max(worstAfterKill, seen.get(tx.id()).firstReadNanos() - sent);
        }
      }
      assertTrue(sentAfterKill > 1_000, sentAfterKill + " payments sent after the kill");
      double failoverSeconds = worstAfterKill / 1e9;
      System.out.printf("failover (%s): instance killed, %d payments sent after it, worst send-to-readable %.2f s, %d decision records%n",
          extra.isEmpty() ? "defaults" : extra, sentAfterKill, failoverSeconds, reader.records());
      // The takeover time is the machine's figure, printed for benchmarks/RESULTS.md (docs/operate.md,
      // Failover); the behaviour is above: the survivor decided every payment, each once.
    }
  }

  /**
   * Payments asked about through both instances' decide endpoints, one instance killed with -9
   * under load: every answered payment has one committed decision, the answers that differ from it
   * are counted, and the survivor settles each of its own answers as confirmed or superseded.
   */
  @Test
  void everyAnsweredPaymentHasOneCommittedDecisionAfterAKillNine() throws Exception {
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(250, 25, 24)).stream()
        .sorted(Comparator.comparing(Transaction::timestamp)).limit(3_000).toList();
    String[] decide = {"--decide-max-in-flight", "5000"};
    URI survivor = decideUri(engineServing("state-a", "0", decide));
    EngineProcess doomed = engineServing("state-b", "0", decide);
    URI victim = decideUri(doomed);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, String> answers = new ConcurrentHashMap<>();
    Map<String, String> answeredBySurvivor = new ConcurrentHashMap<>();
    Set<String> fallbacks = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<?>> requests = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < payments.size(); i++) {
      Pacing.awaitTurn(start, i, 150);
      if (i == 1_500) {
        doomed.kill();
      }
      Transaction tx = payments.get(i);
      URI to = i < 1_500 && i % 2 == 1 ? victim : survivor;
      HttpRequest request = HttpRequest.newBuilder(to).header("Fraudstream-Deadline-Ms", "20000").timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofByteArray(TransactionJson.write(tx))).build();
      requests.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
        if (response.statusCode() != 200) {
          return;
        }
        if (response.body().contains("\"fallback\":true")) {
          fallbacks.add(tx.id());
        } else {
          answers.put(tx.id(), response.body());
          if (to == survivor) {
            answeredBySurvivor.put(tx.id(), response.body());
          }
        }
      }).exceptionally(lost -> null));
    }
    CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    try (DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
      reader.awaitAll(answers.keySet(), Duration.ofSeconds(120), Duration.ofSeconds(3));
      ObjectMapper json = new ObjectMapper();
      int differ = 0;
      for (Map.Entry<String, String> answered : answers.entrySet()) {
        DecisionReader.Seen seen = reader.seen().get(answered.getKey());
        assertEquals(1, seen.count(), "one committed decision for answered payment " + answered.getKey());
        JsonNode answer = json.readTree(answered.getValue());
        List<String> reasons = new ArrayList<>();
        answer.get("reasons").forEach(reason -> reasons.add(reason.asText()));
        boolean same = seen.first().tier().name().equals(answer.get("tier").asText())
            && seen.first().score() == answer.get("score").asDouble() && seen.first().reasons().equals(reasons);
        differ += same ? 0 : 1;
      }
      // The survivor settles each of its answers against the committed decision.
      String metrics = "http://" + survivor.getAuthority() + "/metrics";
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      double settled = 0;
      while (settled < answeredBySurvivor.size() && System.nanoTime() < deadline) {
        String scrape = http.send(HttpRequest.newBuilder(URI.create(metrics)).build(), HttpResponse.BodyHandlers.ofString()).body();
        settled = meter(scrape, "fraudstream_answers_confirmed_total") + meter(scrape, "fraudstream_answers_superseded_total");
        Thread.sleep(200);
      }
      assertEquals(answeredBySurvivor.size(), settled, 0.0, "the survivor's answers settled as confirmed or superseded");
      assertTrue(answers.size() > 2_000, answers.size() + " payments answered");
      System.out.printf("decide, kill -9: %d payments sent, %d answered with a decision (%d by the survivor), %d with the fallback,"
          + " %d answers differ from the committed decision%n", payments.size(), answers.size(), answeredBySurvivor.size(),
          fallbacks.size(), differ);
    }
  }

  private static URI decideUri(EngineProcess engine) {
    Matcher port = Pattern.compile("/v1/decide on port (\\d+)").matcher(engine.output());
    assertTrue(port.find(), engine.output());
    return URI.create("http://127.0.0.1:" + port.group(1) + "/v1/decide");
  }

  private static double meter(String scrape, String name) {
    Matcher value = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(scrape);
    return value.find() ? Double.parseDouble(value.group(1)) : 0;
  }

  @Test
  void shouldDecideTenThousandPaymentsOnceOnTwoInstancesSharingEntityRisk() throws Exception {
    // In time order, as payments come: the generator lists them user by user, and entity risk
    // fed out of time order is not what a payment path sees.
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(400, 30, 23)).stream()
        .sorted(Comparator.comparing(Transaction::timestamp)).limit(10_000).toList();
    engine("state-a");
    engine("state-b");
    try (DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions");
         Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      Thread feeder = feed(payments, 1_000, new ConcurrentHashMap<>());
      reader.awaitCount(2_000, Duration.ofSeconds(90));
      // Both instances hold payment tasks: the entity risk each decides on was published by either.
      ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("fraudstream")).all().get().get("fraudstream");
      long membersWithPayments = group.members().stream().filter(member -> member.assignment().topicPartitions().stream()
          .anyMatch(partition -> partition.topic().equals("transactions"))).count();
      assertEquals(2, membersWithPayments, "members reading payments: " + group.members());
      feeder.join();
      reader.awaitAll(ids(payments), Duration.ofSeconds(120), Duration.ofSeconds(3));
      Map<String, DecisionReader.Seen> seen = reader.seen();
      assertExactlyOnce(payments, seen);

      // User features are the offline replay's bit for bit. Entity features are as last
      // published: this feed runs about 70,000 times faster than its payments happened, so a
      // few hundred milliseconds of staleness are hours of payments, and exact equality is rare
      // (the consistency model in docs/architecture.md). In both directions: a state can lack the newest
      // payments, or hold one with a later time that the other instance decided first. What
      // must hold is that the served counts stay close to the replay's over 30 days.
      List<Feature> counts = new ArrayList<>();
      for (EntityKind kind : EntityKind.values()) {
        counts.addAll(kind.features().subList(0, 6));
      }
      int equalEntityRisk = 0;
      int sharedEntities = 0;
      double[] served30d = new double[2];
      double[] offline30d = new double[2];
      Map<String, Integer> sentIndex = new HashMap<>();
      for (int i = 0; i < payments.size(); i++) {
        sentIndex.put(payments.get(i).id(), i);
      }
      for (FeatureRow row : OfflineReplay.replay(payments, TestModels.SECRET)) {
        Map<String, Double> live = seen.get(row.transaction().id()).first().features();
        boolean equal = true;
        for (Feature feature : Feature.values()) {
          double offline = row.features().get(feature);
          double online = live.get(feature.featureName());
          if (counts.contains(feature)) {
            equal &= online == offline;
          } else if (feature.ordinal() < Feature.MERCHANT_TX_COUNT_1D.ordinal()) {
            assertEquals(offline, online, row.transaction().id() + " " + feature.featureName());
          }
        }
        equalEntityRisk += equal ? 1 : 0;
        sharedEntities += live.get(Feature.MERCHANT_USERS_1D.featureName()) > 1 ? 1 : 0;
        int half = sentIndex.get(row.transaction().id()) < payments.size() / 2 ? 0 : 1;
        served30d[half] += live.get(Feature.MERCHANT_TX_COUNT_30D.featureName());
        offline30d[half] += row.features().get(Feature.MERCHANT_TX_COUNT_30D);
      }
      System.out.printf("merchant 30-day counts served, first half of the feed %.3f of the replay's, second half %.3f%n",
          served30d[0] / offline30d[0], served30d[1] / offline30d[1]);
      double servedShare = served30d[1] / offline30d[1];
      // Reported, not asserted: at this compression the share measures the pipeline's delay in
      // hours of payments (EntityRiskLagIntegrationTest bounds it in real time).
      System.out.printf("two instances: %d payments, each decided once; entity counts equal to the offline replay's for %d (%.2f %%); "
          + "merchant 30-day counts served %.3f of the replay's%n", payments.size(), equalEntityRisk, 100.0 * equalEntityRisk / payments.size(),
          servedShare);
      assertTrue(servedShare > 0 && servedShare <= 1.05, "served merchant 30-day counts are " + servedShare + " of the replay's");
      // How many decisions saw other users at their merchant depends on how far behind the feed the
      // entity side ran, that is on the machine's speed: reported only. Once the feed has stopped,
      // the entity side catches up, and a probe must then see exactly what the replay counts.
      System.out.printf("%d decisions saw a merchant paid by other users that day%n", sharedEntities);
      assertProbesSeeEveryPaymentAtTheirMerchants(payments, reader, Duration.ofHours(20), 5,
          List.of(Feature.MERCHANT_USERS_1D, Feature.MERCHANT_TX_COUNT_1D));
    }
  }

  /**
   * Once the entity side has caught up, a payment from a new user at each of the {@code limit}
   * merchants with the most users in the last {@code lookBack} of the feed must count every earlier
   * payment there, decided by either instance, before or after a kill: the replay's
   * {@code features} exactly. Probes go in rounds, a second apart, until one round sees them.
   */
  private void assertProbesSeeEveryPaymentAtTheirMerchants(List<Transaction> payments, DecisionReader reader, Duration lookBack,
      int limit, List<Feature> features) throws Exception {
    Instant last = payments.get(payments.size() - 1).timestamp();
    Map<String, Set<String>> usersLastDay = new HashMap<>();
    for (Transaction tx : payments) {
      if (tx.merchant() != null && tx.timestamp().isAfter(last.minus(lookBack))) {
        usersLastDay.computeIfAbsent(tx.merchant(), merchant -> new HashSet<>()).add(tx.user());
      }
    }
    List<String> busiest = usersLastDay.entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<String, Set<String>> entry) -> entry.getValue().size()).reversed())
        .limit(limit).map(Map.Entry::getKey).toList();
    List<Transaction> sent = new ArrayList<>(payments);
    List<String> mismatches = List.of();
    for (int round = 1; round <= 20; round++) {
      Thread.sleep(1_000);
      List<Transaction> probes = new ArrayList<>();
      for (int k = 0; k < busiest.size(); k++) {
        probes.add(new Transaction.Builder("probe-" + round + "-" + k, last.plusSeconds(round), "probe-user-" + round + "-" + k, 10.0)
            .merchant(busiest.get(k)).build());
      }
      send(probes);
      sent.addAll(probes);
      reader.awaitAll(ids(probes), Duration.ofSeconds(60), Duration.ZERO);
      Map<String, DecisionReader.Seen> seen = reader.seen();
      List<String> roundMismatches = new ArrayList<>();
      for (FeatureRow row : OfflineReplay.replay(sent, TestModels.SECRET)) {
        if (!probes.contains(row.transaction())) {
          continue;
        }
        Map<String, Double> live = seen.get(row.transaction().id()).first().features();
        Feature widest = features.get(features.size() - 1);
        double counted = row.features().get(widest);
        assertTrue(counted > 1, row.transaction().id() + " found " + counted + " (" + widest + ") at its merchant in the replay");
        for (Feature feature : features) {
          if (live.get(feature.featureName()) != row.features().get(feature)) {
            roundMismatches.add(row.transaction().id() + " " + feature.featureName() + " served " + live.get(feature.featureName())
                + ", replay " + row.features().get(feature));
          }
        }
      }
      if (roundMismatches.isEmpty()) {
        System.out.printf("probes at %d merchants saw every earlier payment there (%s) in round %d%n", busiest.size(), features, round);
        return;
      }
      mismatches = roundMismatches;
    }
    throw new AssertionError("after 20 rounds, probes still count other than the replay at their merchants, " + mismatches.size()
        + " features in all; the first ten: " + mismatches.subList(0, Math.min(10, mismatches.size())));
  }

  private void send(List<Transaction> payments) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (Transaction tx : payments) {
        producer.send(new ProducerRecord<>("transactions", tx.user(), TransactionJson.write(tx))).get();
      }
    }
  }

  @Test
  void shouldExitNonZeroAndNeverClaimACleanStopAfterAFatalError() throws Exception {
    EngineProcess engine = engine("state");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      // The input topic gone is no bad record: the threads cannot go on, however often replaced.
      admin.deleteTopics(Set.of("transactions")).all().get();
    }
    int exit = engine.awaitExit(Duration.ofSeconds(120));
    assertEquals(1, exit, engine.output());
    assertTrue(engine.output().contains("FATAL: stream threads keep failing"), engine.output());
    assertTrue(engine.output().contains("fraudstream engine stopped after a fatal error"), engine.output());
    assertFalse(engine.output().contains("stopped cleanly"), engine.output());
  }

  @Test
  void shouldGiveUpWithinTheStartupTimeoutWhenTheClusterIsNotThereLeavingNoStateBehind() throws Exception {
    // No --state-dir: the engine makes a temporary one, which a failed start must delete.
    Path temporary = Files.createDirectories(dir.resolve("tmp"));
    EngineProcess engine = EngineProcess.startWithEnvironment(Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + temporary),
        "run", "--bootstrap-servers", "127.0.0.1:1", "--model", model.toString(), "--hash-secret", SECRET, "--http-port", "-1",
        "--startup-timeout-ms", "5000");
    engines.add(engine);
    assertEquals(1, engine.awaitExit(Duration.ofSeconds(60)), engine.output());
    // It gave up after the 5 s it was given, not the default 60 s: the message says how long it waited.
    assertTrue(engine.output().contains("fraudstream: cannot use the Kafka cluster at 127.0.0.1:1 (waited 5 s)"), engine.output());
    assertTrue(engine.output().contains("check that the brokers are running"), engine.output());
    assertEquals(List.of(), ShutdownIntegrationTest.fraudstreamEntries(temporary));
  }
}
