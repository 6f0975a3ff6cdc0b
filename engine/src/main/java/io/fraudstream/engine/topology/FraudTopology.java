package io.fraudstream.engine.topology;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.EntityEvent;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.StoredFormat;
import io.fraudstream.features.Unreadable;
import io.fraudstream.features.UserState;
import io.fraudstream.features.streams.BackfillProcessor;
import io.fraudstream.features.streams.EntityEventSource;
import io.fraudstream.features.streams.EntityRiskJoin;
import io.fraudstream.features.streams.EntityRiskProcessor;
import io.fraudstream.features.streams.FeatureProcessor;
import io.fraudstream.features.streams.StateSerde;
import io.fraudstream.features.streams.TransactionTimestampExtractor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
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
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the engine's topology, a pure function of its inputs, as two parts that run as two Kafka
 * Streams applications ({@link Part}). The payment path is one task and one commit: nothing on it
 * waits for another task, and its commit spans only its own outputs and stores.
 *
 * <pre>
 * transactions ─ read (event time) ─ check record ─┬─ invalid ─ dead-letter ─ transactions-dlq
 *                                                  └─ valid ─ pseudonymise, reorder within the grace,
 *                                                             extract user features (user-state store)
 * erasures (by user) ─ erase user ──────────────────────────────┤ (deletes the user's state and open challenges;
 *   the user's hash to every entity-events partition, for the entity states to forget)
 * challenge-results (by user) ─ parse (bad ones to the DLQ) ─ learn (user-state store) ─ answer
 *   (open-challenges store: counted by reason; a failed one alerts or blocks as the policy says,
 *   and is a fraud label ─ hand-off challenge-labels ─ when configured)
 *   ─ join entity risk (entity-risk global store: device and merchant, as last published)
 *   ─ decide (model, rules; blocks: the global table, and this task's own user blocks at once)
 *       ─┬─ decisions (by payment id)
 *        ├─ alerts (CHALLENGE, BLOCK; by user)
 *        ├─ blocks (new user blocks; by entity)
 *        ├─ entity events (25 bytes per entity: time, amount, user hash) ─ hand-off entity-events ─┐
 *        └─ CHALLENGE and BLOCK outcomes (10 bytes) ─ hand-off outcomes-by-payment ─┐              │
 * - - - - - - - - - - - - - - - - - - off the payment path - - - - - - - - - - - -│- - - - - - - │
 * labels (by payment id), challenge labels ─ parse ─┬─ judge against the outcome ─┘              │
 *   (bad labels to the DLQ)        (decision-outcomes store)                                      │
 *                                                   └─ frauds ─ entity events ─ repartition entity-labels ─┐
 *                         entity risk (entity-state store, keyed by kind|entity) ───────────────────┴──┘
 *                           ─ entity-risk (compacted) ─ global store, on every instance
 * blocks (compacted) ─ global table, on every instance
 * </pre>
 *
 * Every processor and store is named, so {@code describe()} is stable across versions.
 */
public final class FraudTopology {

  private static final Logger LOG = LoggerFactory.getLogger(FraudTopology.class);

  /** The store of per-user behavioural state. */
  public static final String USER_STATE_STORE = "user-state";
  static final Duration CHANGELOG_MAX_COMPACTION_LAG = Duration.ofDays(1);
  // Erased and expired users and entities leave tombstones; the lag bounds how long their old
  // values can stay in a compacted changelog before the log cleaner must remove them.
  static final Map<String, String> COMPACT_PROMPTLY =
      Map.of(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(CHANGELOG_MAX_COMPACTION_LAG.toMillis()));

  private FraudTopology() {}

  /** The versioned formats the topology's stores and changelogs hold. */
  public static List<StoredFormat> storedFormats() {
    return List.of(UserState.storedFormat(), EntityState.storedFormat(), OpenChallenges.storedFormat());
  }

  /** The reorder buffer of payments waiting out the grace period, and the task's watermark. */
  public static final String REORDER_BUFFER_STORE = "reorder-buffer";
  /** The entity sub-topology's store of every entity's state, keyed by {@link EntityKind#riskKey}. */
  public static final String ENTITY_STATE_STORE = "entity-state";
  /** The entities changed since the entity sub-topology last published (see {@link EntityRiskProcessor}). */
  public static final String UNPUBLISHED_ENTITIES_STORE = "unpublished-entities";
  /** Every instance's copy of the entity-risk topic: the entities' states as last published. */
  public static final String ENTITY_RISK_STORE = "entity-risk";
  /** Blocks a payment task has placed on its users and the global table may not show yet. */
  public static final String PENDING_USER_BLOCKS_STORE = "pending-user-blocks";
  /**
   * A decision is counted stale ({@code fraudstream_entity_stale_decisions_total}) when the entity
   * sub-topology had not yet applied events up to this long before the payment's time.
   */
  public static final Duration ENTITY_STALENESS_BOUND = Duration.ofSeconds(2);
  /** The decisions of the last {@link DecisionOutcomes#RETENTION}, waiting for labels. */
  public static final String DECISION_OUTCOMES_STORE = "decision-outcomes";
  /** The blocks topic read back on every instance. */
  public static final String BLOCKS_STORE = "active-blocks";
  /**
   * Names of the hand-off topics ({@link HandOff}) and of the repartition off the payment path
   * (entity labels); all get an application id as prefix.
   */
  public static final String ENTITY_EVENTS = "entity-events";
  public static final String ENTITY_LABELS = "entity-labels";
  public static final String OUTCOMES_BY_PAYMENT = "outcomes-by-payment";
  public static final String CHALLENGE_LABELS = "challenge-labels";
  /** The CHALLENGE decisions of a user's task waiting for their result (see {@link OpenChallenges}). */
  public static final String OPEN_CHALLENGES_STORE = "open-challenges";

  /** A label, challenge result or erasure request that could not be used, for the dead-letter topic. */
  record UnreadableRecord(byte[] raw, String reason) implements Unreadable, OffPathTopology.ReadLabel, ChallengeResultsTopology.ReadChallenge {}

  /**
   * Which part of the topology an application runs. The payment path and what lies off it run as
   * two Kafka Streams applications in one engine, each with its own threads and transactions, so
   * that a payment's commit spans only the payment's own partitions and no entity or label work
   * waits in front of a payment. They meet only through the {@link HandOff} topics.
   */
  public enum Part {
    /** Payments, challenge results, erasures and backfill in the user's task: decisions, alerts, blocks, and the hand-offs. */
    PAYMENT_PATH,
    /** The hand-offs and the labels: entity risk, published for every instance, and live precision and recall. */
    OFF_PATH,
    /** Both in one topology, as tests drive it: the hand-off topics still connect them. */
    ALL;

    boolean paymentPath() {
      return this != OFF_PATH;
    }

    boolean offPath() {
      return this != PAYMENT_PATH;
    }
  }

  /**
   * The topics the payment path hands its by-products to the off-path application on: entity events
   * (keyed by entity), CHALLENGE and BLOCK outcomes (keyed by payment id) and the fraud labels of
   * failed challenges (keyed by payment id). Named after the engine's application id, as Kafka
   * Streams names its internal topics, so that two engines on one cluster never share them.
   */
  public record HandOff(String entityEvents, String outcomes, String challengeLabels) {

    public static HandOff of(String applicationId) {
      return new HandOff(applicationId + "-" + ENTITY_EVENTS, applicationId + "-" + OUTCOMES_BY_PAYMENT,
          applicationId + "-" + CHALLENGE_LABELS);
    }

    public List<String> all() {
      return List.of(entityEvents, outcomes, challengeLabels);
    }
  }

  /** The whole topology in one, as tests drive it, with the hand-off topics of the default application id. */
  public static Topology build(Topics topics, DecisionPolicy policy, EngineMetrics metrics, Pseudonymiser pseudonymiser, int partitions,
      Duration grace, InputWindow window, ChallengePolicy challenges) {
    return build(Part.ALL, topics, HandOff.of("fraudstream"), policy, metrics, pseudonymiser, partitions, grace, window, challenges);
  }

  /**
   * @param part the part an application runs ({@link Part#ALL} for both)
   * @param partitions partitions of the repartition topic off the payment path (entity events from
   *     labels, which must match the hand-off topics', for an entity's events to meet in one task)
   * @param grace how far out of time order payments may arrive and still be decided in order
   *     (see {@link FeatureProcessor}); zero decides each payment on arrival
   * @param window the payment, label and challenge result times accepted, against the engine's clock
   * @param challenges what a failed challenge does on its own, and whether it is a fraud label
   */
  public static Topology build(Part part, Topics topics, HandOff handOff, DecisionPolicy policy, EngineMetrics metrics,
      Pseudonymiser pseudonymiser, int partitions, Duration grace, InputWindow window, ChallengePolicy challenges) {
    return build(part, topics, handOff, policy, metrics, pseudonymiser, partitions, grace, window, challenges, decision -> { });
  }

  /**
   * As above, handing each decision to {@code onDecided} the moment it is made, on the stream
   * thread and before its transaction commits (the decide endpoint's answers); it must not block.
   */
  public static Topology build(Part part, Topics topics, HandOff handOff, DecisionPolicy policy, EngineMetrics metrics,
      Pseudonymiser pseudonymiser, int partitions, Duration grace, InputWindow window, ChallengePolicy challenges,
      Consumer<Decision> onDecided) {
    StreamsBuilder builder = new StreamsBuilder();
    if (part.paymentPath()) {
      paymentPath(builder, topics, handOff, policy, metrics, pseudonymiser, partitions, grace, window, challenges, onDecided);
    }
    if (part.offPath()) {
      OffPathTopology.add(builder, topics, handOff, metrics, pseudonymiser, partitions, window);
    }
    return builder.build();
  }

  private static void paymentPath(StreamsBuilder builder, Topics topics, HandOff handOff, DecisionPolicy policy, EngineMetrics metrics,
      Pseudonymiser pseudonymiser, int partitions, Duration grace, InputWindow window, ChallengePolicy challenges,
      Consumer<Decision> onDecided) {
    addPaymentPathStores(builder, topics, metrics);
    Map<String, KStream<String, ParsedTransaction>> routes = routePayments(builder, topics, metrics, window);
    eraseUsers(builder, topics, handOff, metrics, pseudonymiser);
    // User features first, where identifiers become tokens; then entity risk as published and the
    // decision, all in this task.
    KStream<String, FeaturedTransaction> featured = feature(routes.get("route-valid"), policy, metrics, pseudonymiser, partitions, grace);
    KStream<String, Decision> decisions = featured
        .processValues(() -> new DecisionProcessor(policy, metrics, BLOCKS_STORE, PENDING_USER_BLOCKS_STORE, OPEN_CHALLENGES_STORE,
                onDecided),
            Named.as("decide"), PENDING_USER_BLOCKS_STORE, OPEN_CHALLENGES_STORE);
    KStream<String, OpenChallenges.FollowUp> followUps = ChallengeResultsTopology.answer(builder, topics, policy, challenges, metrics, window);
    KStream<String, FeaturedTransaction> backfilled = backfill(builder, topics, metrics, pseudonymiser, window);
    // A backfilled payment's own events, then its fraud's, in one partition per entity: the order
    // the offline replay applies them in.
    featured
        .merge(backfilled, Named.as("decided-and-backfilled"))
        .process(() -> new EntityEventSource(pseudonymiser), Named.as("entity-events"))
        .merge(backfilledFrauds(backfilled), Named.as("entity-events-and-backfilled-frauds"))
        .to(handOff.entityEvents(), handOffTo("hand-off-entity-events"));
    handOffOutcomes(decisions, backfilled, handOff);
    ChallengeResultsTopology.handOffLabels(followUps, handOff);
    UserOutputs.write(decisions, followUps, topics, policy);
  }

  private static void addPaymentPathStores(StreamsBuilder builder, Topics topics, EngineMetrics metrics) {
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(USER_STATE_STORE), Serdes.String(),
            StateSerde.users(InputChecks.unreadableState(USER_STATE_STORE, metrics)))
        .withCachingEnabled().withLoggingEnabled(COMPACT_PROMPTLY));
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(REORDER_BUFFER_STORE), Serdes.Bytes(), Serdes.ByteArray())
        .withCachingEnabled().withLoggingEnabled(COMPACT_PROMPTLY));
    // Every instance reads every block, so a blocked entity is refused whichever task sees its payment.
    Serde<Block> readableBlocks = InputChecks.readableBlocks(metrics);
    builder.globalTable(topics.blocks(), Consumed.with(Topics.KEY_SERDE, readableBlocks).withName("read-blocks"),
        // In memory: blocks are few, every payment looks up to three of them, and the table is
        // rebuilt from the compacted topic at start anyway.
        Materialized.<String, Block>as(Stores.inMemoryKeyValueStore(BLOCKS_STORE))
            .withKeySerde(Topics.KEY_SERDE).withValueSerde(readableBlocks));
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(PENDING_USER_BLOCKS_STORE), Serdes.String(), readableBlocks)
        .withLoggingEnabled(COMPACT_PROMPTLY));
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(OPEN_CHALLENGES_STORE), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled().withLoggingEnabled(COMPACT_PROMPTLY));
    // Persistent: at scale the entities outgrow the heap (see docs/operate.md, "Sizing"), and a restart
    // then reads only what it missed. Rebuilt from the compacted topic like any global store.
    builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ENTITY_RISK_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled(),
        topics.entityRisk(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("read-entity-risk"),
        () -> new PublishedRiskLoader(metrics));
  }

  /** The payments read and checked, split into the valid ({@code route-valid}) and the rest, sent to the dead-letter topic. */
  private static Map<String, KStream<String, ParsedTransaction>> routePayments(StreamsBuilder builder, Topics topics,
      EngineMetrics metrics, InputWindow window) {
    return readPayments(builder, topics.transactions(), "", topics, metrics, window);
  }

  /**
   * Payments read from {@code topic} and checked as every payment is, split into
   * {@code <prefix>route-valid} and the rest, sent to the dead-letter topic; the processors are
   * named with {@code prefix}, so that two topics can be read alike.
   */
  private static Map<String, KStream<String, ParsedTransaction>> readPayments(StreamsBuilder builder, String topic, String prefix,
      Topics topics, EngineMetrics metrics, InputWindow window) {
    Map<String, KStream<String, ParsedTransaction>> routes = builder
        .stream(topic, Consumed.with(Topics.KEY_SERDE, Topics.TRANSACTION_SERDE)
            .withTimestampExtractor(new TransactionTimestampExtractor(window::accepts)).withName("read-" + (prefix.isEmpty() ? "transactions" : prefix + "payments")))
        .mapValues((key, parsed) -> InputChecks.checkRecord(key, parsed, window), Named.as(prefix + "check-record"))
        .split(Named.as(prefix + "route-"))
        .branch((key, parsed) -> parsed instanceof ParsedTransaction.Invalid, Branched.as("invalid"))
        .defaultBranch(Branched.as("valid"));
    deadLetter(routes.get(prefix + "route-invalid").mapValues(parsed -> (ParsedTransaction.Invalid) parsed,
            Named.as(prefix + "unreadable-transaction")),
        topics, metrics, prefix + "dead-letter", prefix + "write-dead-letters");
    return routes;
  }

  /**
   * History from the backfill topic, in the user's task: checked like any payment (bad records
   * to the dead-letter topic), applied to the user's state as the offline replay would, and
   * forwarded only toward entity risk and the label join's marks. Nothing here decides, alerts
   * or blocks; a separate topic, not a flag on a payment, so that whoever may write payments
   * cannot also silence their decisions.
   */
  private static KStream<String, FeaturedTransaction> backfill(StreamsBuilder builder, Topics topics, EngineMetrics metrics,
      Pseudonymiser pseudonymiser, InputWindow window) {
    return readPayments(builder, topics.backfill(), "backfill-", topics, metrics, window).get("backfill-route-valid")
        .mapValues(parsed -> ((ParsedTransaction.Valid) parsed).transaction(), Named.as("backfill-unwrap"))
        .process(() -> new BackfillProcessor(USER_STATE_STORE, pseudonymiser, metrics::backfilled), Named.as("backfill-user-state"),
            USER_STATE_STORE);
  }

  /** One entity event per entity of each backfilled payment its history labels fraud: the label comes with the payment. */
  private static KStream<String, byte[]> backfilledFrauds(KStream<String, FeaturedTransaction> backfilled) {
    return backfilled
        .filter((user, featured) -> Boolean.TRUE.equals(featured.transaction().label()), Named.as("backfilled-frauds"))
        .flatMap((user, featured) -> confirmedFraud(kind -> kind.of(featured.transaction()), featured.transaction().timestamp()),
            Named.as("backfilled-fraud-entity-events"));
  }

  /** A confirmed-fraud event for each entity of a payment ({@code entityOf} gives the kind's entity, or null), keyed by entity. */
  static List<KeyValue<String, byte[]>> confirmedFraud(Function<EntityKind, String> entityOf, Instant paymentTime) {
    List<KeyValue<String, byte[]>> events = new ArrayList<>(EntityKind.values().length);
    for (EntityKind kind : EntityKind.values()) {
      String entity = entityOf.apply(kind);
      if (entity != null) {
        events.add(KeyValue.pair(kind.riskKey(entity), EntityEvent.confirmedFraud(paymentTime.toEpochMilli()).toBytes()));
      }
    }
    return events;
  }

  private static void eraseUsers(StreamsBuilder builder, Topics topics, HandOff handOff, EngineMetrics metrics, Pseudonymiser pseudonymiser) {
    Map<String, KStream<String, byte[]>> erasures = builder
        .stream(topics.erasures(), Consumed.with(Topics.KEY_SERDE, Topics.RAW_SERDE).withName("read-erasures"))
        .split(Named.as("erasure-"))
        .branch((user, request) -> user == null || user.isBlank() || InputLimits.checkKey(user) != null, Branched.as("invalid"))
        .defaultBranch(Branched.as("valid"));
    deadLetter(erasures.get("erasure-invalid")
            .mapValues((user, request) -> new UnreadableRecord(request, user == null || user.isBlank()
                ? "erasure request without a user: key it by the user id to erase" : InputLimits.checkKey(user)),
                Named.as("unusable-erasure")),
        topics, metrics, "erasure-dead-letter", "write-bad-erasures");
    erasures.get("erasure-valid")
        .process(() -> new UserErasure(USER_STATE_STORE, OPEN_CHALLENGES_STORE, pseudonymiser), Named.as("erase-user"),
            USER_STATE_STORE, OPEN_CHALLENGES_STORE)
        .to(handOff.entityEvents(), handOffTo("hand-off-user-erasures").withStreamPartitioner(UserErasure.EVERY_PARTITION));
  }

  private static KStream<String, FeaturedTransaction> feature(KStream<String, ParsedTransaction> valid, DecisionPolicy policy,
      EngineMetrics metrics, Pseudonymiser pseudonymiser, int partitions, Duration grace) {
    Duration labelDelay = policy.labelDelay();
    return valid
        .mapValues(parsed -> ((ParsedTransaction.Valid) parsed).transaction(), Named.as("unwrap"))
        .process(() -> new FeatureProcessor(USER_STATE_STORE, REORDER_BUFFER_STORE, pseudonymiser, grace), Named.as("extract-features"),
            USER_STATE_STORE, REORDER_BUFFER_STORE)
        .processValues(() -> new EntityRiskJoin(ENTITY_RISK_STORE, pseudonymiser, labelDelay, partitions, ENTITY_STALENESS_BOUND,
            metrics::staleEntityValues, InputChecks.unreadableState(ENTITY_RISK_STORE, metrics)), Named.as("join-entity-risk"));
  }

  /**
   * Hands off the CHALLENGE and BLOCK outcomes, keyed by payment id like the labels: a label
   * without one judges an ALLOW. A backfilled payment sends a mark, so that a label of it judges nothing.
   */
  private static void handOffOutcomes(KStream<String, Decision> decisions, KStream<String, FeaturedTransaction> backfilled,
      HandOff handOff) {
    decisions
        .filter((user, decision) -> decision.tier() != Tier.ALLOW, Named.as("suspicious-outcomes"))
        .map((user, decision) -> KeyValue.pair(decision.paymentId(), DecisionOutcomes.suspicious(decision)), Named.as("key-outcome-by-payment"))
        .merge(backfilled.map((user, featured) -> KeyValue.pair(featured.transaction().id(),
            DecisionOutcomes.backfilled(featured.transaction().timestamp().toEpochMilli())), Named.as("mark-backfilled-payment")),
            Named.as("outcomes-and-backfilled-marks"))
        .to(handOff.outcomes(), handOffTo("hand-off-outcomes"));
  }

  /** How the payment path writes a hand-off topic: compact binary records, keyed by text. */
  static Produced<String, byte[]> handOffTo(String sinkName) {
    return Produced.with(Serdes.String(), Serdes.ByteArray()).withName(sinkName);
  }

  /** Sends unreadable records to the dead-letter topic, through one processor and sink per input. */
  static <V extends Unreadable> void deadLetter(KStream<String, V> unreadable, Topics topics, EngineMetrics metrics,
      String processorName, String sinkName) {
    unreadable
        .process(() -> new DeadLetterProcessor<V>(metrics), Named.as(processorName))
        .to(topics.deadLetters(), Produced.with(Topics.KEY_SERDE, Topics.RAW_SERDE).withName(sinkName));
  }
}
