package io.fraudstream.benchmarks;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.FraudEngine;
import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How often serving's entity features differ from the offline replay's, the measure of the
 * bounded-staleness model (docs/architecture.md, "How it works"): the last days of the handbook replayed to the
 * engine on the embedded broker at a fixed rate, every decision's device and merchant features
 * compared with those {@link OfflineReplay} computes for the same payments. Labels are left out
 * on both sides (over 7 days they could not count anyway: the label delay is 7 days).
 *
 * <p>Usage: {@code EntityConsistencyBenchmark [days=7] [rate=2000] [dataset=../shared/datasets/handbook/transactions.csv.gz]}.
 * The last line is {@code SUMMARY} and one JSON object.
 */
public final class EntityConsistencyBenchmark {

  private static final String SECRET = "entity-consistency-secret";

  private EntityConsistencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
    int days = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    Path dataset = Path.of(args.length > 2 ? args[2] : "../shared/datasets/handbook/transactions.csv.gz");
    if (days < 1 || rate < 1) {
      throw new IllegalArgumentException("usage: EntityConsistencyBenchmark [days>=1] [rate>=1] [dataset]");
    }

    List<Transaction> all = new ArrayList<>(DatasetReader.read(dataset, DatasetMapping.preset("handbook")));
    all.sort(Comparator.comparing(Transaction::timestamp));
    Instant from = all.get(all.size() - 1).timestamp().minus(Duration.ofDays(days));
    List<Transaction> payments = all.stream().filter(tx -> tx.timestamp().isAfter(from))
        .map(tx -> tx.toBuilder().label(null).build()).toList();
    Map<String, FeatureRow> offline = new HashMap<>();
    for (FeatureRow row : OfflineReplay.replay(payments, SECRET.getBytes(StandardCharsets.UTF_8))) {
      offline.put(row.transaction().id(), row);
    }
    System.out.printf(Locale.ROOT, "%,d payments of the handbook's last %d days, replayed at %,d/s%n", payments.size(), days, rate);

    ModelBundle bundle = ModelTrainer.train(
        OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)), SECRET.getBytes(StandardCharsets.UTF_8)),
        ModelTrainer.Settings.defaults("synthetic seed 1"));
    List<Feature> entityFeatures = new ArrayList<>();
    for (EntityKind kind : EntityKind.values()) {
      entityFeatures.addAll(kind.features());
    }

    try (TemporaryDirectory states = TemporaryDirectory.create("bench-state-");
         EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
      EngineConfig config = EndToEndBenchmark.config(broker.bootstrapServers(), states.path(), "consistency", "consistency-transactions", 1,
          StreamsConfig.EXACTLY_ONCE_V2);
      TopicAdmin.ensureTopics(config.clientProperties(), config.topics(), config.partitions());
      try (FraudEngine engine = FraudEngine.start(config, bundle, Duration.ofMinutes(2))) {
        Thread feeder = new Thread(() -> EndToEndBenchmark.produce(config, payments, rate, null), "consistency-feeder");
        feeder.start();
        Map<String, Decision> decided = readDecisions(config, payments.size());
        feeder.join();

        int differing = 0;
        Map<String, Integer> byFeature = new HashMap<>();
        for (Map.Entry<String, Decision> entry : decided.entrySet()) {
          FeatureRow row = offline.get(entry.getKey());
          boolean differs = false;
          for (Feature feature : entityFeatures) {
            if (Double.compare(entry.getValue().features().get(feature.featureName()), row.features().get(feature)) != 0) {
              differs = true;
              byFeature.merge(feature.featureName(), 1, Integer::sum);
            }
          }
          differing += differs ? 1 : 0;
          if (differs && differing <= 5) {
            System.out.printf(Locale.ROOT, "  e.g. %s at %s: merchant_tx_count_1d %.0f served, %.0f offline; merchant_tx_count_30d %.0f served, %.0f offline%n",
                entry.getKey(), row.transaction().timestamp(), entry.getValue().features().get(Feature.MERCHANT_TX_COUNT_1D.featureName()),
                row.features().get(Feature.MERCHANT_TX_COUNT_1D), entry.getValue().features().get(Feature.MERCHANT_TX_COUNT_30D.featureName()),
                row.features().get(Feature.MERCHANT_TX_COUNT_30D));
          }
        }
        double stale = 0;
        for (EntityKind kind : EntityKind.values()) {
          stale += engine.registry().counter("fraudstream.entity.stale.decisions", "kind", kind.name().toLowerCase(Locale.ROOT)).count();
        }
        System.out.printf(Locale.ROOT, "decisions %,d; with entity features unlike the offline replay's: %,d (%.3f %%)%n",
            decided.size(), differing, 100.0 * differing / decided.size());
        byFeature.entrySet().stream().sorted(Map.Entry.comparingByValue(Comparator.reverseOrder()))
            .forEach(e -> System.out.printf(Locale.ROOT, "  %-26s %,d%n", e.getKey(), e.getValue()));
        System.out.printf(Locale.ROOT, "entity lookups counted stale (device + merchant): %,.0f%n", stale);
        System.out.printf(Locale.ROOT, "SUMMARY {\"payments\":%d,\"rate\":%d,\"profile\":\"%s\",\"differing\":%d,\"differing_share\":%.6f,\"stale_lookups\":%.0f}%n",
            decided.size(), rate, config.profile(), differing, (double) differing / decided.size(), stale);
      }
    }
  }

  private static Map<String, Decision> readDecisions(EngineConfig config, int expected) {
    Properties props = config.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, Decision> decided = new HashMap<>();
    long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
    try (KafkaConsumer<String, Decision> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        Topics.DECISION_SERDE.deserializer())) {
      String topic = config.topics().decisions();
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (decided.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, Decision> record : consumer.poll(Duration.ofMillis(200))) {
          decided.put(record.key(), record.value());
        }
      }
    }
    if (decided.size() < expected) {
      throw new IllegalStateException("only " + decided.size() + " of " + expected + " payments were decided");
    }
    return decided;
  }
}
