package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.cli.FraudstreamCli;
import io.fraudstream.engine.decision.Alert;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.Feature;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.DatasetWriter;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fraudstream backfill} against a running engine on the real broker: five days of history
 * brought in, the sixth fed live, and the live decisions made on the features the offline
 * replay of all six days gives; nothing user-facing or counted comes from the history.
 */
@Tag("broker")
@ExtendWith(SharedBroker.class)
class BackfillIntegrationTest {

  @Test
  void backfilledDaysThenALiveDayDecideOnTheOfflineReplaysFeatures(@TempDir Path dir) throws Exception {
    EngineConfig config = EngineConfig.defaults(SharedBroker.bootstrapServers(), dir.resolve("state"),
            new String(TestModels.SECRET, StandardCharsets.UTF_8))
        .withApplication("backfill-it", SharedBroker.topics("bf-"), dir.resolve("state"));
    List<Transaction> all = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(150, 6, 8));
    Instant cutOver = all.get(0).timestamp().plus(Duration.ofDays(5));
    List<Transaction> history = all.stream().filter(tx -> tx.timestamp().isBefore(cutOver)).toList();
    List<Transaction> live = all.stream().filter(tx -> !tx.timestamp().isBefore(cutOver)).toList();
    Path dataset = dir.resolve("history.csv");
    DatasetWriter.write(dataset, all);

    try (FraudEngine engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60))) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      PrintStream original = System.out;
      int exit;
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      try {
        exit = FraudstreamCli.execute("backfill", "--dataset", dataset.toString(), "--until", cutOver.toString(),
            "--bootstrap-servers", config.bootstrapServers(), "--application-id", config.applicationId(),
            "--backfill-topic", config.topics().backfill(), "--timeout-minutes", "2");
      } finally {
        System.setOut(original);
      }
      String output = printed.toString(StandardCharsets.UTF_8);
      assertEquals(0, exit, output);
      ByteArrayOutputStream errors = new ByteArrayOutputStream();
      PrintStream originalErr = System.err;
      System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
      try {
        assertEquals(1, FraudstreamCli.execute("backfill", "--dataset", dataset.toString(), "--bootstrap-servers", config.bootstrapServers(),
            "--backfill-topic", "bf-no-such-topic"));
      } finally {
        System.setErr(originalErr);
      }
      assertTrue(errors.toString(StandardCharsets.UTF_8).contains("topic 'bf-no-such-topic' does not exist on " + config.bootstrapServers()
          + ": start the engine first"), errors.toString(StandardCharsets.UTF_8));
      assertTrue(output.contains(String.format("backfilled %,d payments", history.size())), output);
      assertTrue(output.contains(String.format("%,d payments from %s on left to the live feed", live.size(), cutOver)), output);
      assertEquals(history.size(), engine.registry().counter("fraudstream.backfill.payments", "result", "applied").count(),
          "the command waited until the engine had applied all of it");

      List<String> suspiciousLive = new ArrayList<>();
      Properties producerProps = config.clientProperties();
      producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      try (DecisionReader reader = new DecisionReader(config.bootstrapServers(), config.topics().decisions());
           KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer())) {
        for (Transaction tx : live) {
          producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), TransactionJson.write(tx)));
          if (Boolean.TRUE.equals(tx.label())) {
            // Stamped with the payment's time, as the payments are: the label join ages labels by its stream time.
            producer.send(new ProducerRecord<>(config.topics().labels(), null, tx.timestamp().toEpochMilli(), tx.id(),
                new PaymentLabel(tx.id(), true, tx.merchant(), tx.device(), tx.timestamp()).toJson()));
          }
        }
        producer.flush();
        reader.awaitAll(live.stream().map(Transaction::id).toList(), Duration.ofSeconds(90), Duration.ZERO);
        Map<String, DecisionReader.Seen> seen = reader.seen();
        assertEquals(live.size(), reader.records(), "the live payments decided, once each, and no payment of the history");
        live.stream().filter(tx -> seen.get(tx.id()).first().tier() != Tier.ALLOW).forEach(tx -> suspiciousLive.add(tx.id()));

        // User features bit for bit. Entity features where the consistency model makes them exact:
        // a live payment whose device and merchant no other live payment uses sees the history only,
        // all published before the feed began. (One that a later live payment shares can meet that
        // payment's event too: decided first in another partition, and published, before it.)
        List<FeatureRow> offline = OfflineReplay.replay(all, TestModels.SECRET);
        Map<String, Integer> liveUses = new HashMap<>();
        for (Transaction tx : live) {
          entitiesOf(tx).forEach(entity -> liveUses.merge(entity, 1, Integer::sum));
        }
        Map<String, Map<String, Double>> mismatches = new TreeMap<>();
        int entityChecked = 0;
        for (FeatureRow row : offline.subList(history.size(), all.size())) {
          Transaction tx = row.transaction();
          Map<String, Double> decided = seen.get(tx.id()).first().features();
          boolean entitiesFresh = entitiesOf(tx).stream().allMatch(entity -> liveUses.get(entity) == 1);
          entityChecked += entitiesFresh ? 1 : 0;
          for (Feature feature : Feature.values()) {
            boolean userFeature = feature.ordinal() < Feature.MERCHANT_TX_COUNT_1D.ordinal();
            if ((userFeature || entitiesFresh) && Double.compare(row.features().get(feature), decided.get(feature.featureName())) != 0) {
              mismatches.computeIfAbsent(tx.id(), id -> new TreeMap<>()).put(feature.featureName(), decided.get(feature.featureName()));
            }
          }
        }
        assertEquals(Map.of(), mismatches);
        assertTrue(entityChecked > 20, "entity features compared on " + entityChecked + " payments");
        assertTrue(live.stream().allMatch(tx -> seen.get(tx.id()).first().features().get(Feature.FIRST_PAYMENT.featureName()) == 0
            || history.stream().noneMatch(old -> old.user().equals(tx.user()))), "users of the history are known live");
      }

      // Nothing user-facing from the history, and an alert for each suspicious live payment (so
      // that a run without alerts cannot pass); live precision counts the live labels only.
      Set<String> historyIds = new HashSet<>(history.stream().map(Transaction::id).toList());
      assertFalse(suspiciousLive.isEmpty(), "no live payment was suspicious: the alert checks below would mean nothing");
      List<String> alerted = new ArrayList<>();
      for (Alert alert : readAll(config, config.topics().alerts(), Topics.ALERT_SERDE.deserializer()::deserialize)) {
        alerted.add(alert.paymentId());
      }
      assertEquals(suspiciousLive.stream().sorted().toList(), alerted.stream().sorted().toList(),
          "one alert per suspicious live payment, none for the history");
      for (Block block : readAll(config, config.topics().blocks(), Topics.BLOCK_SERDE.deserializer()::deserialize)) {
        assertTrue(block == null || !historyIds.contains(block.paymentId()), "a block for a payment of the history: " + block);
      }
      long liveFrauds = live.stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count();
      awaitJudged(engine, liveFrauds);
      assertTrue(history.stream().anyMatch(tx -> Boolean.TRUE.equals(tx.label())), "the history has frauds, whose labels came with it");
    }
  }

  /** Waits until the live precision has judged {@code frauds} fraud labels, then checks it judged no more. */
  private static void awaitJudged(FraudEngine engine, long frauds) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    double judged;
    while ((judged = judgedFrauds(engine)) < frauds && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(1000);
    assertEquals(frauds, judgedFrauds(engine), "fraud labels judged: the live ones only");
  }

  private static double judgedFrauds(FraudEngine engine) {
    double judged = 0;
    for (Tier tier : Tier.values()) {
      judged += engine.registry().get("fraudstream.labelled.decisions").tag("tier", tier.name()).tag("label", "fraud").gauge().value();
    }
    return judged;
  }

  private interface Reader<T> {
    T read(String topic, byte[] value);
  }

  private static <T> List<T> readAll(EngineConfig config, String topic, Reader<T> reader) {
    List<T> values = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : TopicContents.readAll(config.clientProperties(), topic)) {
      values.add(record.value() == null ? null : reader.read(topic, record.value()));
    }
    return values;
  }

  /** The kinds and ids of the entities a payment names. */
  private static List<String> entitiesOf(Transaction tx) {
    List<String> entities = new ArrayList<>();
    for (EntityKind kind : EntityKind.values()) {
      if (kind.of(tx) != null) {
        entities.add(kind.name() + kind.of(tx));
      }
    }
    return entities;
  }
}
