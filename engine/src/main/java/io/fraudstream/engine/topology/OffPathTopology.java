package io.fraudstream.engine.topology;

import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.streams.EntityRiskProcessor;
import io.fraudstream.features.streams.LabelPseudonymiser;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The part of the engine's topology off the payment path, run as the application
 * {@code <application id>-off-path} (see {@link FraudTopology.Part}): labels and the handed-off
 * fraud labels of failed challenges judge the handed-off CHALLENGE and BLOCK outcomes, for live
 * precision and recall; the handed-off entity events and the frauds' keep every entity's state,
 * whose changes are published on {@code entity-risk} for every instance's payment path.
 */
final class OffPathTopology {

  private OffPathTopology() {}

  /** A label as read: usable, or not (with the reason) for the dead-letter topic. */
  sealed interface ReadLabel permits UsableLabel, FraudTopology.UnreadableRecord {}

  private record UsableLabel(PaymentLabel label) implements ReadLabel {}

  /** Adds the part off the payment path to {@code builder}: entity risk and label judging, fed by the hand-offs. */
  static void add(StreamsBuilder builder, Topics topics, FraudTopology.HandOff handOff, EngineMetrics metrics, Pseudonymiser pseudonymiser,
      int partitions, InputWindow window) {
    addOffPathStores(builder);
    KStream<String, byte[]> paymentEvents = builder.stream(handOff.entityEvents(), handedOff("read-entity-events"));
    KStream<String, PaymentLabel> labels = readLabels(builder, topics, metrics, window)
        .merge(failedChallengeLabels(builder, handOff, metrics), Named.as("labels-and-failed-challenges"));
    judgeLabels(builder, handOff, labels, metrics);
    updateEntityRisk(paymentEvents, fraudEvents(labels, pseudonymiser, partitions), topics, metrics);
  }

  private static void addOffPathStores(StreamsBuilder builder) {
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(FraudTopology.DECISION_OUTCOMES_STORE), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled().withLoggingEnabled(FraudTopology.COMPACT_PROMPTLY));
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(FraudTopology.ENTITY_STATE_STORE), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled().withLoggingEnabled(FraudTopology.COMPACT_PROMPTLY));
    // In memory, with a changelog: the keys come and go every 50 ms, and RocksDB would scan the
    // tombstones of every key ever published on each pass (measured: a quarter of the thread's time).
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(FraudTopology.UNPUBLISHED_ENTITIES_STORE), Serdes.String(), Serdes.ByteArray())
        .withLoggingEnabled(FraudTopology.COMPACT_PROMPTLY));
  }

  /** The handed-off fraud labels of failed challenges. A record on the topic that is not a label is counted and skipped. */
  private static KStream<String, PaymentLabel> failedChallengeLabels(StreamsBuilder builder, FraudTopology.HandOff handOff, EngineMetrics metrics) {
    return builder.stream(handOff.challengeLabels(), handedOff("read-challenge-labels"))
        .flatMapValues(value -> {
          try {
            return List.of(PaymentLabel.fromJson(value));
          } catch (RuntimeException e) {
            metrics.skipped("unreadable-challenge-label");
            return List.<PaymentLabel>of();
          }
        }, Named.as("read-challenge-label"));
  }

  /** The usable labels; the others go to the dead-letter topic. */
  private static KStream<String, PaymentLabel> readLabels(StreamsBuilder builder, Topics topics, EngineMetrics metrics,
      InputWindow window) {
    Map<String, KStream<String, ReadLabel>> labels = builder
        .stream(topics.labels(), Consumed.with(Topics.KEY_SERDE, Topics.RAW_SERDE)
            .withTimestampExtractor(new LabelTimestampExtractor(window::accepts)).withName("read-labels"))
        .mapValues((paymentId, value) -> readLabel(paymentId, value, window), Named.as("parse-label"))
        .split(Named.as("label-"))
        .branch((paymentId, label) -> label instanceof FraudTopology.UnreadableRecord, Branched.as("invalid"))
        .defaultBranch(Branched.as("valid"));
    FraudTopology.deadLetter(labels.get("label-invalid").mapValues(label -> (FraudTopology.UnreadableRecord) label, Named.as("unreadable-label")),
        topics, metrics, "label-dead-letter", "write-bad-labels");
    return labels.get("label-valid").mapValues(label -> ((UsableLabel) label).label(), Named.as("unwrap-label"));
  }

  /** Meets each label with its payment's handed-off outcome, for live precision and recall. */
  private static void judgeLabels(StreamsBuilder builder, FraudTopology.HandOff handOff, KStream<String, PaymentLabel> labels, EngineMetrics metrics) {
    builder.stream(handOff.outcomes(), handedOff("read-outcomes"))
        .process(() -> new DecisionOutcomes.Remember(FraudTopology.DECISION_OUTCOMES_STORE, metrics), Named.as("remember-outcome"), FraudTopology.DECISION_OUTCOMES_STORE);
    labels.process(() -> new DecisionOutcomes.Judge(FraudTopology.DECISION_OUTCOMES_STORE, metrics), Named.as("judge-label"),
        FraudTopology.DECISION_OUTCOMES_STORE);
  }

  /** One entity event per entity of each confirmed fraud, keyed by entity. */
  private static KStream<String, byte[]> fraudEvents(KStream<String, PaymentLabel> labels, Pseudonymiser pseudonymiser, int partitions) {
    return labels
        .filter((paymentId, label) -> label.fraud(), Named.as("fraud-labels"))
        .processValues(() -> new LabelPseudonymiser(pseudonymiser), Named.as("pseudonymise-label"))
        .flatMap((paymentId, label) -> FraudTopology.confirmedFraud(kind -> kind.of(label), label.paymentTime()), Named.as("fraud-entity-events"))
        .repartition(internal(FraudTopology.ENTITY_LABELS, partitions));
  }

  /** Off the payment path: every entity's state, the changed ones published every 50 ms for every payment task. */
  private static void updateEntityRisk(KStream<String, byte[]> paymentEvents, KStream<String, byte[]> fraudEvents, Topics topics,
      EngineMetrics metrics) {
    paymentEvents.merge(fraudEvents, Named.as("entity-events-and-frauds"))
        .process(() -> new EntityRiskProcessor(FraudTopology.ENTITY_STATE_STORE, FraudTopology.UNPUBLISHED_ENTITIES_STORE, metrics::skipped,
            InputChecks.unreadableState(FraudTopology.ENTITY_STATE_STORE, metrics)), Named.as("entity-risk"),
            FraudTopology.ENTITY_STATE_STORE, FraudTopology.UNPUBLISHED_ENTITIES_STORE)
        .to(topics.entityRisk(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("write-entity-risk"));
  }

  /** How the off-path application reads a hand-off topic. */
  private static Consumed<String, byte[]> handedOff(String sourceName) {
    return Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(sourceName);
  }

  /** An internal topic off the payment path, of compact binary records. */
  private static Repartitioned<String, byte[]> internal(String name, int partitions) {
    return Repartitioned.with(Serdes.String(), Serdes.ByteArray()).withName(name).withNumberOfPartitions(partitions);
  }

  private static ReadLabel readLabel(String paymentId, byte[] value, InputWindow window) {
    String badKey = InputLimits.checkKey(paymentId);
    if (badKey != null) {
      return new FraudTopology.UnreadableRecord(value, badKey);
    }
    try {
      PaymentLabel label = PaymentLabel.parse(paymentId, value);
      String badTime = window.check(label.paymentTime(), "label timestamp");
      return badTime == null ? new UsableLabel(label) : new FraudTopology.UnreadableRecord(value, badTime);
    } catch (IllegalArgumentException e) {
      return new FraudTopology.UnreadableRecord(value, e.getMessage());
    }
  }
}
