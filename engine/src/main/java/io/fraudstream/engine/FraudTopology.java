package io.fraudstream.engine;

import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityProcessor;
import io.fraudstream.features.LabelPseudonymiser;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.ErasureProcessor;
import io.fraudstream.features.FeaturedTransactionSerde;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.LabelProcessor;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Unreadable;
import io.fraudstream.features.FeatureProcessor;
import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.TransactionTimestampExtractor;
import io.fraudstream.features.UserState;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the engine's topology, a pure function of its inputs:
 *
 * <pre>
 * transactions ─ read (event time) ─ check record ─┬─ invalid ─ dead-letter ─ transactions-dlq
 *                                                  └─ valid ─ pseudonymise, reorder within the grace,
 *                                                             extract user features (user-state store)
 * erasures (by user) ─ erase user ──────────────────────────────┘ (deletes from the store)
 *   ─ repartition by device token (IP, payee and location stripped)
 *   ─ device risk (device-state store) ─────────────────────┐
 * labels (by payment id) ─ parse ─┬─ repartition by device token ─ record fraud ─┘ (bad labels to the DLQ)
 *   ─ repartition by merchant     │
 *   ─ merchant risk (merchant-state store) ─────────────────┐
 *                                 └─ repartition by merchant ─ record fraud ─┘
 * blocks (compacted) ─ global table, on every instance ─┐
 *   ─ decide (model, rules, blocks in force) ─┬─ decisions (by payment id) ─┐
 *                                             ├─ alerts (CHALLENGE, BLOCK; by user)
 *                                             └─ blocks (new user blocks; by entity)
 * decisions (read back) ─ remember tier (decision-outcomes store) ─┐
 * labels (valid) ─ join to the decision ─ live precision and recall ┘
 * </pre>
 *
 * Every processor and store is named, so {@code describe()} is stable across versions.
 */
public final class FraudTopology {

  private static final Logger LOG = LoggerFactory.getLogger(FraudTopology.class);

  /** The store of per-user behavioural state. */
  public static final String USER_STATE_STORE = "user-state";
  static final Duration CHANGELOG_MAX_COMPACTION_LAG = Duration.ofDays(1);

  private FraudTopology() {}

  /** The reorder buffer of payments waiting out the grace period, and the task's watermark. */
  public static final String REORDER_BUFFER_STORE = "reorder-buffer";
  /** The store of per-device entity risk, keyed by device token. */
  public static final String DEVICE_STATE_STORE = "device-state";
  /** The store of per-merchant entity risk. */
  public static final String MERCHANT_STATE_STORE = "merchant-state";
  /** The decisions of the last {@link DecisionOutcomes#RETENTION}, waiting for labels. */
  public static final String DECISION_OUTCOMES_STORE = "decision-outcomes";
  /** The blocks topic read back on every instance. */
  public static final String BLOCKS_STORE = "active-blocks";
  /** Names of the repartitions of featured payments (the topics get the application id as prefix). */
  public static final String PAYMENTS_BY_DEVICE = "payments-by-device";
  public static final String PAYMENTS_BY_MERCHANT = "payments-by-merchant";

  /** A label or erasure request that could not be used, for the dead-letter topic. */
  private record UnreadableRecord(byte[] raw, String reason) implements Unreadable {}

  /**
   * @param partitions partitions of the repartition topics by device and by merchant (payments
   *     and labels), which must match for an entity's payments and labels to meet in one task
   * @param grace how far out of time order payments may arrive and still be decided in order
   *     (see {@link FeatureProcessor}); zero decides each payment on arrival
   * @param window the payment and label times accepted, against the engine's clock
   */
  public static Topology build(Topics topics, DecisionPolicy policy, EngineMetrics metrics, byte[] hashSecret, int partitions,
      Duration grace, InputWindow window) {
    StreamsBuilder builder = new StreamsBuilder();
    // Erased and expired users and entities leave tombstones; the lag bounds how long their old
    // values can stay in a compacted changelog before the log cleaner must remove them.
    Map<String, String> compactPromptly = Map.of(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(CHANGELOG_MAX_COMPACTION_LAG.toMillis()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(USER_STATE_STORE), Serdes.String(),
            UserState.tolerantSerde(unreadableState(USER_STATE_STORE, metrics)))
        .withCachingEnabled().withLoggingEnabled(compactPromptly));
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(REORDER_BUFFER_STORE), Serdes.Bytes(), Serdes.ByteArray())
        .withCachingEnabled().withLoggingEnabled(compactPromptly));
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(DECISION_OUTCOMES_STORE), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled().withLoggingEnabled(compactPromptly));
    // Every instance reads every block, so a blocked entity is refused whichever task sees its payment.
    Serde<Block> readableBlocks = readableBlocks(metrics);
    builder.globalTable(topics.blocks(), Consumed.with(Topics.KEY_SERDE, readableBlocks).withName("read-blocks"),
        // In memory: blocks are few, every payment looks up to three of them, and the table is
        // rebuilt from the compacted topic at start anyway.
        Materialized.<String, Block>as(Stores.inMemoryKeyValueStore(BLOCKS_STORE))
            .withKeySerde(Topics.KEY_SERDE).withValueSerde(readableBlocks));
    for (String entityStore : List.of(DEVICE_STATE_STORE, MERCHANT_STATE_STORE)) {
      builder.addStateStore(Stores.keyValueStoreBuilder(
              Stores.persistentKeyValueStore(entityStore), Serdes.String(),
              EntityState.tolerantSerde(unreadableState(entityStore, metrics)))
          .withCachingEnabled().withLoggingEnabled(compactPromptly));
    }

    KStream<String, ParsedTransaction> input = builder
        .stream(topics.transactions(), Consumed.with(Topics.KEY_SERDE, Topics.TRANSACTION_SERDE)
            .withTimestampExtractor(new TransactionTimestampExtractor(window::accepts)).withName("read-transactions"))
        .mapValues((key, parsed) -> checkRecord(key, parsed, window), Named.as("check-record"));

    Map<String, KStream<String, ParsedTransaction>> routes = input.split(Named.as("route-"))
        .branch((key, parsed) -> parsed instanceof ParsedTransaction.Invalid, Branched.as("invalid"))
        .defaultBranch(Branched.as("valid"));

    deadLetter(routes.get("route-invalid").mapValues(parsed -> (ParsedTransaction.Invalid) parsed, Named.as("unreadable-transaction")),
        topics, metrics, "dead-letter", "write-dead-letters");

    Map<String, KStream<String, byte[]>> erasures = builder
        .stream(topics.erasures(), Consumed.with(Topics.KEY_SERDE, Topics.DEAD_LETTER_SERDE).withName("read-erasures"))
        .split(Named.as("erasure-"))
        .branch((user, request) -> user == null || user.isBlank() || InputLimits.checkKey(user) != null, Branched.as("invalid"))
        .defaultBranch(Branched.as("valid"));
    deadLetter(erasures.get("erasure-invalid")
            .mapValues((user, request) -> new UnreadableRecord(request, user == null || user.isBlank()
                ? "erasure request without a user: key it by the user id to erase" : InputLimits.checkKey(user)),
                Named.as("unusable-erasure")),
        topics, metrics, "erasure-dead-letter", "write-bad-erasures");
    erasures.get("erasure-valid")
        .process(() -> new ErasureProcessor(USER_STATE_STORE), Named.as("erase-user"), USER_STATE_STORE);

    byte[] secret = hashSecret.clone();
    Duration labelDelay = policy.labelDelay();
    // User features first, where identifiers become tokens; only a stripped payment and its
    // vector cross to the device's and then the merchant's partition for entity risk.
    KStream<String, Decision> decisions = routes.get("route-valid")
        .mapValues(parsed -> ((ParsedTransaction.Valid) parsed).transaction(), Named.as("unwrap"))
        .process(() -> new FeatureProcessor(USER_STATE_STORE, REORDER_BUFFER_STORE, secret, grace), Named.as("extract-features"),
            USER_STATE_STORE, REORDER_BUFFER_STORE)
        // Payments without a device stay keyed by user, which spreads them over the partitions.
        .selectKey((user, featured) -> featured.transaction().device() != null ? featured.transaction().device() : user,
            Named.as("key-by-device"))
        .repartition(Repartitioned.with(Topics.KEY_SERDE, new FeaturedTransactionSerde())
            .withName(PAYMENTS_BY_DEVICE).withNumberOfPartitions(partitions))
        .processValues(() -> new EntityProcessor(EntityKind.DEVICE, DEVICE_STATE_STORE, secret, labelDelay),
            Named.as("extract-device-features"), DEVICE_STATE_STORE)
        .selectKey((device, featured) -> featured.transaction().merchant() != null ? featured.transaction().merchant() : featured.transaction().user(),
            Named.as("key-by-merchant"))
        .repartition(Repartitioned.with(Topics.KEY_SERDE, new FeaturedTransactionSerde())
            .withName(PAYMENTS_BY_MERCHANT).withNumberOfPartitions(partitions))
        .processValues(() -> new EntityProcessor(EntityKind.MERCHANT, MERCHANT_STATE_STORE, secret, labelDelay),
            Named.as("extract-entity-features"), MERCHANT_STATE_STORE)
        .processValues(() -> new DecisionProcessor(policy, metrics, BLOCKS_STORE), Named.as("decide"));

    Map<String, KStream<String, Object>> labels = builder
        .stream(topics.labels(), Consumed.with(Topics.KEY_SERDE, Topics.DEAD_LETTER_SERDE).withName("read-labels"))
        .mapValues((paymentId, value) -> readLabel(paymentId, value, window), Named.as("parse-label"))
        .split(Named.as("label-"))
        .branch((paymentId, label) -> label instanceof UnreadableRecord, Branched.as("invalid"))
        .defaultBranch(Branched.as("valid"));
    deadLetter(labels.get("label-invalid").mapValues(label -> (UnreadableRecord) label, Named.as("unreadable-label")),
        topics, metrics, "label-dead-letter", "write-bad-labels");
    KStream<String, PaymentLabel> validLabels = labels.get("label-valid")
        .mapValues(label -> (PaymentLabel) label, Named.as("unwrap-label"));
    // Decisions come back from their topic, keyed by payment id like the labels, to meet them.
    builder.stream(topics.decisions(), Consumed.with(Topics.KEY_SERDE, Topics.DEAD_LETTER_SERDE).withName("read-back-decisions"))
        .process(() -> new DecisionOutcomes.Remember(DECISION_OUTCOMES_STORE, metrics), Named.as("remember-decision"), DECISION_OUTCOMES_STORE);
    validLabels.process(() -> new DecisionOutcomes.Judge(DECISION_OUTCOMES_STORE, metrics), Named.as("judge-label"),
        DECISION_OUTCOMES_STORE);
    KStream<String, PaymentLabel> frauds = validLabels
        .filter((paymentId, label) -> label.fraud(), Named.as("fraud-labels"))
        .processValues(() -> new LabelPseudonymiser(secret), Named.as("pseudonymise-label"));
    Map<EntityKind, String> entityStores = Map.of(EntityKind.DEVICE, DEVICE_STATE_STORE, EntityKind.MERCHANT, MERCHANT_STATE_STORE);
    for (EntityKind kind : EntityKind.values()) {
      String name = kind.name().toLowerCase(Locale.ROOT);
      frauds
          .filter((paymentId, label) -> kind.of(label) != null, Named.as("fraud-labels-with-" + name))
          .selectKey((paymentId, label) -> kind.of(label), Named.as("key-label-by-" + name))
          .repartition(Repartitioned.with(Topics.KEY_SERDE, LABEL_SERDE).withName("labels-by-" + name).withNumberOfPartitions(partitions))
          .process(() -> new LabelProcessor(kind, entityStores.get(kind)), Named.as("record-" + name + "-label"), entityStores.get(kind));
    }

    decisions
        .selectKey((merchant, decision) -> decision.paymentId(), Named.as("key-by-payment"))
        .to(topics.decisions(), Produced.with(Topics.KEY_SERDE, Topics.DECISION_SERDE).withName("write-decisions"));
    decisions
        .filter((merchant, decision) -> decision.tier() != Tier.ALLOW, Named.as("suspicious"))
        .map((merchant, decision) -> KeyValue.pair(decision.user(), policy.alertFor(decision)), Named.as("alert"))
        .to(topics.alerts(), Produced.with(Topics.KEY_SERDE, Topics.ALERT_SERDE).withName("write-alerts"));
    decisions
        .filter((merchant, decision) -> decision.placesBlock(), Named.as("blocked"))
        // A block's record time is when it was decided, so the global table sees each entity's
        // blocks in the order they were placed, whatever the payments' event times.
        .processValues(() -> new FixedKeyProcessor<String, Decision, Block>() {
          private FixedKeyProcessorContext<String, Block> context;

          @Override
          public void init(FixedKeyProcessorContext<String, Block> context) {
            this.context = context;
          }

          @Override
          public void process(FixedKeyRecord<String, Decision> record) {
            context.forward(record.withValue(policy.blockFor(record.value())).withTimestamp(record.value().decidedAt().toEpochMilli()));
          }
        }, Named.as("block"))
        .selectKey((merchant, block) -> block.entity(), Named.as("key-by-entity"))
        .to(topics.blocks(), Produced.with(Topics.KEY_SERDE, Topics.BLOCK_SERDE).withName("write-blocks"));
    return builder.build();
  }

  /**
   * Blocks as the global table reads them. A record that is not a block (or is larger than the
   * input limit) is logged, counted and read as a tombstone: it lifts any block on its key, as
   * compaction would make it do at the next restart anyway; a global table cannot send it to the
   * dead-letter topic, and one unreadable record must not stop every instance.
   */
  private static Serde<Block> readableBlocks(EngineMetrics metrics) {
    return Serdes.serdeFrom(Topics.BLOCK_SERDE.serializer(), (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        String tooLarge = InputLimits.checkRecordSize(bytes.length);
        if (tooLarge != null) {
          throw new IllegalArgumentException(tooLarge);
        }
        return Topics.BLOCK_SERDE.deserializer().deserialize(topic, bytes);
      } catch (RuntimeException e) {
        metrics.skipped("unreadable-block");
        LOG.warn("Reading an unreadable record on the blocks topic {} as the lifting of its key's block: {}", topic, e.getMessage());
        return null;
      }
    });
  }

  /** Counts every stored state that cannot be read, and logs the first of each store once. */
  private static Consumer<IllegalArgumentException> unreadableState(String store, EngineMetrics metrics) {
    AtomicBoolean logged = new AtomicBoolean();
    return error -> {
      metrics.unreadableState(store);
      if (logged.compareAndSet(false, true)) {
        LOG.warn("A state in the {} store cannot be read by this version ({}); it is read as absent, so its user or entity "
            + "starts afresh. Further ones are counted in fraudstream_state_unreadable_total, not logged", store, error.getMessage());
      }
    };
  }

  private static final Serde<PaymentLabel> LABEL_SERDE = Serdes.serdeFrom(
      (topic, label) -> label == null ? null : label.toJson(),
      (topic, bytes) -> bytes == null ? null : PaymentLabel.fromJson(bytes));

  private static Object readLabel(String paymentId, byte[] value, InputWindow window) {
    String badKey = InputLimits.checkKey(paymentId);
    if (badKey != null) {
      return new UnreadableRecord(value, badKey);
    }
    try {
      PaymentLabel label = PaymentLabel.parse(paymentId, value);
      String badTime = window.check(label.paymentTime(), "label timestamp");
      return badTime == null ? label : new UnreadableRecord(value, badTime);
    } catch (IllegalArgumentException e) {
      return new UnreadableRecord(value, e.getMessage());
    }
  }

  /** Sends unreadable records to the dead-letter topic, through one processor and sink per input. */
  private static <V extends Unreadable> void deadLetter(KStream<String, V> unreadable, Topics topics, EngineMetrics metrics,
      String processorName, String sinkName) {
    unreadable
        .process(() -> new DeadLetterProcessor<V>(metrics), Named.as(processorName))
        .to(topics.deadLetters(), Produced.with(Topics.KEY_SERDE, Topics.DEAD_LETTER_SERDE).withName(sinkName));
  }

  /**
   * A user's payments must share a partition for their state to be right, so the record key must
   * be the payment's user; anything else is refused rather than scored against the wrong state.
   * The payment's time must lie in the accepted window, or its outputs could be refused by the brokers.
   */
  static ParsedTransaction checkRecord(String key, ParsedTransaction parsed, InputWindow window) {
    if (!(parsed instanceof ParsedTransaction.Valid valid)) {
      return parsed;
    }
    String user = valid.transaction().user();
    String badTime = window.check(valid.transaction().timestamp(), "timestamp");
    if (badTime != null) {
      return new ParsedTransaction.Invalid(parsed.raw(), badTime);
    }
    String badKey = InputLimits.checkKey(key);
    if (badKey != null) {
      return new ParsedTransaction.Invalid(parsed.raw(), badKey);
    }
    if (key == null) {
      return new ParsedTransaction.Invalid(parsed.raw(), "record key is missing; key each transaction by its user ('" + user + "')");
    }
    if (!key.equals(user)) {
      return new ParsedTransaction.Invalid(parsed.raw(),
          "record key '" + key + "' is not the transaction's user '" + user + "'; key each transaction by its user");
    }
    return parsed;
  }
}
