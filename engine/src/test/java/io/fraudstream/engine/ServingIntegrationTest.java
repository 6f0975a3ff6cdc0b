package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.Reasons;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine in service on a real in-process broker: a model and rules swapped under traffic, a
 * bad bundle and bad rules refused, blocks read back and lifted, labels joined, and all of it
 * visible on the metrics and health endpoints over HTTP.
 */
@Tag("broker")
class ServingIntegrationTest {

  private static EmbeddedKafkaBroker broker;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.startTemporary();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void shouldSwapModelsUnderTrafficEnforceBlocksJoinLabelsAndReportItAll(@TempDir Path dir) throws Exception {
    ModelBundle first = TestModels.bundle();
    // Another model, not the same one with other thresholds: a reload that kept the old scorer must show.
    ModelBundle second = TestModels.other();
    Path modelFile = dir.resolve("model.bundle");
    first.save(modelFile);
    Path rulesFile = dir.resolve("rules.txt");
    Files.writeString(rulesFile, "block merchant m-banned reason \"merchant banned\"\n");
    EngineConfig config = EngineConfig.defaults(broker.bootstrapServers(), dir.resolve("state"), new String(TestModels.SECRET, StandardCharsets.UTF_8))
        .withServing(new EngineConfig.Serving(modelFile, null, rulesFile, Duration.ofMillis(200), "127.0.0.1", 0));

    try (FraudEngine engine = FraudEngine.start(config, ModelBundle.load(modelFile), Duration.ofSeconds(60));
         KafkaProducer<String, byte[]> producer = producer(config)) {
      String base = "http://127.0.0.1:" + engine.httpPort();
      assertEquals(200, get(base + "/health/ready").statusCode());
      assertTrue(get(base + "/health/live").body().contains("\"streams\":\"RUNNING\""));

      // Traffic, with the model replaced while it flows.
      List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(150, 10, 6)).subList(0, 3_000);
      Thread traffic = traffic(producer, config, payments);
      await(() -> engine.registry().find("fraudstream.decisions").counters().stream().mapToDouble(c -> c.count()).sum() >= 300,
          "the first model deciding");
      second.save(modelFile);
      traffic.join();
      await(() -> engine.policy().model().provenanceId().equals(second.provenanceId()), "the new model in service");

      Map<String, Decision> decided = readDecisions(config, payments.size());
      assertEquals(payments.size(), decided.size(), "every payment decided exactly once across the swap");
      List<Decision> byFirst = decided.values().stream().filter(d -> d.modelProvenance().equals(first.provenanceId())).toList();
      List<Decision> bySecond = decided.values().stream().filter(d -> d.modelProvenance().equals(second.provenanceId())).toList();
      assertEquals(payments.size(), byFirst.size() + bySecond.size(), "each decision names the bundle that made it");
      assertFalse(byFirst.isEmpty(), "the swap came too early to show anything");
      assertFalse(bySecond.isEmpty(), "the new model never decided");
      Instant lastOfFirst = byFirst.stream().map(Decision::decidedAt).max(Instant::compareTo).orElseThrow();
      Instant firstOfSecond = bySecond.stream().map(Decision::decidedAt).min(Instant::compareTo).orElseThrow();
      assertFalse(lastOfFirst.isAfter(firstOfSecond), "the swap is atomic: no decision by the old model after the new one served");
      ModelScorer firstScorer = new ModelScorer(first);
      ModelScorer secondScorer = new ModelScorer(second);
      for (Decision decision : decided.values()) {
        ModelScorer named = decision.modelProvenance().equals(first.provenanceId()) ? firstScorer : secondScorer;
        assertEquals(named.score(FeatureVector.fromMap(decision.features())).probability(), decision.score(),
            "payment " + decision.paymentId() + " was scored by the bundle it names");
      }
      assertTrue(bySecond.stream().anyMatch(d -> d.score() != firstScorer.score(FeatureVector.fromMap(d.features())).probability()),
          "the two models must score differently for this test to tell them apart");

      // Any of these decisions can be made again from the topic, with the bundle and rules it names.
      Path secondBundle = dir.resolve("second.bundle");
      second.save(secondBundle);
      Path rulesInService = dir.resolve("rules-in-service.txt");
      Files.copy(rulesFile, rulesInService);
      assertEquals(0, io.fraudstream.engine.cli.FraudstreamCli.execute("explain", config.topics().decisions(),
          bySecond.get(bySecond.size() / 2).paymentId(), "--model", secondBundle.toString(), "--rules", rulesInService.toString(),
          "--hash-secret", new String(TestModels.SECRET, StandardCharsets.UTF_8), "--bootstrap-servers", broker.bootstrapServers()),
          "explain from the topic must re-derive the decision exactly");

      // A broken bundle and broken rules are refused; what served keeps serving. The broken rules
      // would ban another merchant, so that a file applied in part would show.
      String rulesServed = engine.policy().rules().version();
      Files.write(modelFile, "not a bundle".getBytes(StandardCharsets.UTF_8));
      Files.writeString(rulesFile, "block merchant m-other reason \"merchant banned\"\nwhen velocity > 3 then block \"x\"\n");
      // At least once each: a watcher that reads a file while it is being written refuses it twice.
      await(() -> refusals(scrape(base), "rules") >= 1 && refusals(scrape(base), "model") >= 1, "both refusals counted");
      assertEquals(second.provenanceId(), engine.policy().model().provenanceId());
      assertEquals(rulesServed, engine.policy().rules().version(), "the rules in service are the previous file's");

      // Blocks read back from the topic: the rules' banned merchant, then a block placed by hand and lifted.
      Instant t0 = payments.get(payments.size() - 1).timestamp().truncatedTo(ChronoUnit.MINUTES);
      Block onUser = new Block("user:mallory", "user", null, "account takeover reported", t0, t0.plus(Duration.ofDays(1)));
      producer.send(new ProducerRecord<>(config.topics().blocks(), onUser.entity(), Topics.BLOCK_SERDE.serializer().serialize(null, onUser)));
      producer.flush();
      awaitBlock(engine, onUser.entity(), true);
      send(producer, config, Transaction.of("mallory-1", t0.plusSeconds(60), "mallory", 10).toBuilder().merchant("m-1").build());
      send(producer, config, Transaction.of("carol-1", t0.plusSeconds(60), "carol", 10).toBuilder().merchant("m-banned").build());
      send(producer, config, Transaction.of("dave-1", t0.plusSeconds(60), "dave", 10).toBuilder().merchant("m-other").build());
      Map<String, Decision> blocked = readDecisions(config, payments.size() + 3);
      assertFalse(blocked.get("dave-1").reasons().contains("the merchant is on the block list: merchant banned"),
          "the refused file's block list was applied: " + blocked.get("dave-1").reasons());
      assertEquals(List.of(Reasons.blockedSince(onUser)), blocked.get("mallory-1").reasons());
      assertTrue(Reasons.blockedSince(onUser).endsWith(" UTC (user): account takeover reported"));
      assertEquals(List.of("the merchant is on the block list: merchant banned"), blocked.get("carol-1").reasons());
      assertEquals(0, io.fraudstream.engine.cli.FraudstreamCli.execute("unblock", "--user", "mallory",
          "--bootstrap-servers", broker.bootstrapServers()));
      awaitBlock(engine, onUser.entity(), false);
      send(producer, config, Transaction.of("mallory-2", t0.plusSeconds(120), "mallory", 10).toBuilder().merchant("m-1").build());
      assertNull(readDecisions(config, payments.size() + 4).get("mallory-2").activeBlock(), "unblock lifted it");

      // Labels join the decisions they judge.
      int labelled = 0;
      for (Transaction tx : payments.subList(0, 500)) {
        PaymentLabel label = new PaymentLabel(tx.id(), Boolean.TRUE.equals(tx.label()), null, null, tx.timestamp());
        // Labels come a day after the payment; decisions are kept for labels only within their retention.
        producer.send(new ProducerRecord<>(config.topics().labels(), null, tx.timestamp().plus(Duration.ofDays(1)).toEpochMilli(),
            tx.id(), label.toJson()));
        labelled++;
      }
      producer.flush();
      int expected = labelled;
      await(() -> labelledDecisions(scrape(base)) == expected, () -> "all labels joined; "
          + scrape(base).lines().filter(line -> line.startsWith("fraudstream_label")).toList());

      String metrics = scrape(base);
      for (String meter : List.of("fraudstream_decisions_total{tier=\"ALLOW\"}", "fraudstream_decision_processing_seconds_bucket",
          "fraudstream_decision_end_to_end_seconds_count", "fraudstream_score_bucket", "fraudstream_live_precision{tier=\"BLOCK\"}",
          "fraudstream_live_recall{tier=\"CHALLENGE\"}", "fraudstream_model_info{provenance=\"" + second.provenanceId() + "\",role=\"live\"",
          "kafka_stream_thread_process_total")) {
        assertTrue(metrics.contains(meter), meter + " missing from /metrics");
      }
    }
  }

  @Test
  void shouldServeRulesAndAShadowModelWrittenToTheirFilesUnderTraffic(@TempDir Path dir) throws Exception {
    ModelBundle live = TestModels.bundle();
    ModelBundle newShadow = TestModels.other();
    Path modelFile = dir.resolve("model.bundle");
    live.save(modelFile);
    Path shadowFile = dir.resolve("shadow.bundle");
    live.save(shadowFile);
    Path rulesFile = dir.resolve("rules.txt");
    Files.writeString(rulesFile, "block merchant m-banned reason \"merchant banned\"\n");
    // Topics and application of its own: the broker is shared with the other test.
    EngineConfig defaults = EngineConfig.defaults(broker.bootstrapServers(), dir.resolve("state"),
        new String(TestModels.SECRET, StandardCharsets.UTF_8));
    EngineConfig config = defaults.withApplication("reload", defaults.topics().prefixed("reload-"), dir.resolve("state"))
        .withServing(new EngineConfig.Serving(modelFile, shadowFile, rulesFile, Duration.ofMillis(200), "127.0.0.1", 0));
    String newRule = "when amount > 4000 then block \"written while serving\"";

    try (FraudEngine engine = FraudEngine.start(config, ModelBundle.load(modelFile), Duration.ofSeconds(60));
         KafkaProducer<String, byte[]> producer = producer(config)) {
      List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(150, 10, 8)).subList(0, 2_000);
      Thread traffic = traffic(producer, config, payments);
      await(() -> engine.registry().find("fraudstream.decisions").counters().stream().mapToDouble(c -> c.count()).sum() >= 300,
          "the first files serving");
      Instant t0 = payments.get(payments.size() - 1).timestamp().plus(Duration.ofHours(1));
      // A payment only the new rule would block, decided before the file changes.
      try (DecisionReader reader = new DecisionReader(config.bootstrapServers(), config.topics().decisions())) {
        send(producer, config, Transaction.of("big-before", t0, "rich-1", 5_000).toBuilder().merchant("m-new").build());
        reader.awaitAll(List.of("big-before"), Duration.ofSeconds(60), Duration.ZERO);
      }
      String rulesBefore = engine.policy().rules().version();
      Files.writeString(rulesFile, "block merchant m-banned reason \"merchant banned\"\n" + newRule + "\n");
      newShadow.save(shadowFile);
      await(() -> !engine.policy().rules().version().equals(rulesBefore)
          && engine.policy().shadowModel().provenanceId().equals(newShadow.provenanceId()), "the new rules and shadow in service");
      traffic.join();
      send(producer, config, Transaction.of("big-after", t0.plusSeconds(60), "rich-2", 5_000).toBuilder().merchant("m-new").build());

      Map<String, Decision> decided = readDecisions(config, payments.size() + 2);
      assertEquals(payments.size() + 2, decided.size(), "every payment decided exactly once across the reloads");
      assertFalse(decided.get("big-before").reasons().contains("written while serving"), decided.get("big-before").reasons().toString());
      assertEquals(Tier.BLOCK, decided.get("big-after").tier());
      assertTrue(decided.get("big-after").reasons().contains("written while serving"), decided.get("big-after").reasons().toString());
      assertEquals(engine.policy().rules().version(), decided.get("big-after").rulesVersion(), "the decision names the rules that made it");

      // The shadow changed under traffic too: each decision carries the shadow that scored it, the
      // new one from its first decision on, and the tier stays the live model's.
      List<Decision> byOldShadow = decided.values().stream().filter(d -> d.shadow().modelProvenance().equals(live.provenanceId())).toList();
      List<Decision> byNewShadow = decided.values().stream()
          .filter(d -> d.shadow().modelProvenance().equals(newShadow.provenanceId())).toList();
      assertEquals(decided.size(), byOldShadow.size() + byNewShadow.size(), "each decision names the shadow that scored it");
      assertFalse(byOldShadow.isEmpty() || byNewShadow.isEmpty(), byOldShadow.size() + " by the first shadow, " + byNewShadow.size()
          + " by the new one");
      Instant lastOfOld = byOldShadow.stream().map(Decision::decidedAt).max(Instant::compareTo).orElseThrow();
      Instant firstOfNew = byNewShadow.stream().map(Decision::decidedAt).min(Instant::compareTo).orElseThrow();
      assertFalse(lastOfOld.isAfter(firstOfNew), "no decision by the old shadow after the new one scored");
      ModelScorer shadowScorer = new ModelScorer(newShadow);
      for (Decision decision : byNewShadow) {
        assertEquals(shadowScorer.score(FeatureVector.fromMap(decision.features())).probability(), decision.shadow().score(),
            decision.paymentId());
        assertEquals(live.provenanceId(), decision.modelProvenance(), "the shadow never decides");
      }
    }
  }

  /** Waits until the engine's global table of blocks holds (or no longer holds) a block on {@code entity}. */
  static void awaitBlock(FraudEngine engine, String entity, boolean present) {
    ReadOnlyKeyValueStore<String, ValueAndTimestamp<Block>> blocks = engine.streams().store(
        StoreQueryParameters.fromNameAndType(FraudTopology.BLOCKS_STORE, QueryableStoreTypes.timestampedKeyValueStore()));
    await(() -> (blocks.get(entity) != null) == present, (present ? "the block on " : "the lifting of the block on ") + entity + " read back");
  }

  private static int labelledDecisions(String metrics) {
    Matcher matcher = Pattern.compile("fraudstream_labelled_decisions\\{[^}]*} ([0-9.]+)").matcher(metrics);
    double sum = 0;
    while (matcher.find()) {
      sum += Double.parseDouble(matcher.group(1));
    }
    return (int) sum;
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String scrape(String base) {
    try {
      HttpResponse<String> response = get(base + "/metrics");
      assertEquals(200, response.statusCode());
      return response.body();
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("cannot read /metrics", e);
    }
  }

  /** Sends the payments in a thread of their own, 100 at a time with a pause between, so that a change lands among them. */
  private static Thread traffic(KafkaProducer<String, byte[]> producer, EngineConfig config, List<Transaction> payments) {
    Thread traffic = new Thread(() -> {
      for (int i = 0; i < payments.size(); i++) {
        Transaction tx = payments.get(i);
        producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), TransactionJson.write(tx)));
        if (i % 100 == 99) {
          producer.flush();
          sleep(50);
        }
      }
      producer.flush();
    });
    traffic.start();
    return traffic;
  }

  private static KafkaProducer<String, byte[]> producer(EngineConfig config) {
    Properties props = config.clientProperties();
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static void send(KafkaProducer<String, byte[]> producer, EngineConfig config, Transaction tx) {
    producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), TransactionJson.write(tx)));
    producer.flush();
  }

  /** Committed decisions by payment id, read until {@code count} have arrived (or a minute passed). */
  private static Map<String, Decision> readDecisions(EngineConfig config, int count) {
    Properties props = config.clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "serving-test-" + System.nanoTime());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<String, Decision> decided = new HashMap<>();
    List<String> duplicates = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.topics().decisions()));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (decided.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (decided.put(record.key(), Topics.DECISION_SERDE.deserializer().deserialize(null, record.value())) != null) {
            duplicates.add(record.key());
          }
        }
      }
    }
    assertEquals(List.of(), duplicates, "duplicate decisions");
    return decided;
  }

  private static double refusals(String scrape, String kind) {
    Matcher count = Pattern.compile("fraudstream_reloads_total\\{kind=\"" + kind + "\",outcome=\"refused\"} ([0-9.]+)").matcher(scrape);
    return count.find() ? Double.parseDouble(count.group(1)) : 0;
  }

  private static void await(BooleanSupplier condition, String what) {
    await(condition, () -> what);
  }

  private static void await(BooleanSupplier condition, Supplier<String> what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what.get());
      }
      sleep(100);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
