package io.fraudstream.engine;

import io.fraudstream.features.ErasureProcessor;
import io.fraudstream.features.FeatureProcessor;
import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.TransactionTimestampExtractor;
import io.fraudstream.features.UserStateSerde;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the engine's topology, a pure function of its inputs:
 *
 * <pre>
 * transactions ─ read (event time) ─ check key ─┬─ invalid ─ dead-letter ─ transactions-dlq
 *                                               └─ valid ─ extract features (user-state store)
 * erasures (by user) ─ erase user ──────────────────────────────┘ (deletes from the store)
 *                                                  ─ decide ─┬─ decisions (by payment id)
 *                                                            ├─ alerts (CHALLENGE, BLOCK; by user)
 *                                                            └─ blocks (BLOCK; by entity)
 * </pre>
 *
 * Every processor and store is named, so {@code describe()} is stable across versions.
 */
public final class FraudTopology {

  /** The store of per-user behavioural state. */
  public static final String USER_STATE_STORE = "user-state";
  static final Duration CHANGELOG_MAX_COMPACTION_LAG = Duration.ofDays(1);

  private FraudTopology() {}

  public static Topology build(Topics topics, DecisionPolicy policy, byte[] hashSecret) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(USER_STATE_STORE), Serdes.String(), new UserStateSerde())
        .withCachingEnabled()
        // Erased and expired users leave tombstones; this bounds how long their old values can
        // stay in the compacted changelog before the log cleaner must remove them.
        .withLoggingEnabled(Map.of(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(CHANGELOG_MAX_COMPACTION_LAG.toMillis()))));

    KStream<String, ParsedTransaction> input = builder
        .stream(topics.transactions(), Consumed.with(Topics.KEY_SERDE, Topics.TRANSACTION_SERDE)
            .withTimestampExtractor(new TransactionTimestampExtractor()).withName("read-transactions"))
        .mapValues(FraudTopology::checkKey, Named.as("check-key"));

    Map<String, KStream<String, ParsedTransaction>> routes = input.split(Named.as("route-"))
        .branch((key, parsed) -> parsed instanceof ParsedTransaction.Invalid, Branched.as("invalid"))
        .defaultBranch(Branched.as("valid"));

    routes.get("route-invalid")
        .processValues(DeadLetterProcessor::new, Named.as("dead-letter"))
        .to(topics.deadLetters(), Produced.with(Topics.KEY_SERDE, Topics.DEAD_LETTER_SERDE).withName("write-dead-letters"));

    builder.stream(topics.erasures(), Consumed.with(Topics.KEY_SERDE, Topics.DEAD_LETTER_SERDE).withName("read-erasures"))
        .process(() -> new ErasureProcessor(USER_STATE_STORE), Named.as("erase-user"), USER_STATE_STORE)
        .to(topics.deadLetters(), Produced.with(Topics.KEY_SERDE, Topics.DEAD_LETTER_SERDE).withName("write-bad-erasures"));

    byte[] secret = hashSecret.clone();
    KStream<String, Decision> decisions = routes.get("route-valid")
        .mapValues(parsed -> ((ParsedTransaction.Valid) parsed).transaction(), Named.as("unwrap"))
        .processValues(() -> new FeatureProcessor(USER_STATE_STORE, secret), Named.as("extract-features"), USER_STATE_STORE)
        .processValues(() -> new DecisionProcessor(policy), Named.as("decide"));

    decisions
        .selectKey((user, decision) -> decision.paymentId(), Named.as("key-by-payment"))
        .to(topics.decisions(), Produced.with(Topics.KEY_SERDE, Topics.DECISION_SERDE).withName("write-decisions"));
    decisions
        .filter((user, decision) -> decision.tier() != Tier.ALLOW, Named.as("suspicious"))
        .mapValues(policy::alertFor, Named.as("alert"))
        .to(topics.alerts(), Produced.with(Topics.KEY_SERDE, Topics.ALERT_SERDE).withName("write-alerts"));
    decisions
        .filter((user, decision) -> decision.tier() == Tier.BLOCK, Named.as("blocked"))
        .map((user, decision) -> KeyValue.pair(DecisionPolicy.userEntity(user), policy.blockFor(decision)), Named.as("block"))
        .to(topics.blocks(), Produced.with(Topics.KEY_SERDE, Topics.BLOCK_SERDE).withName("write-blocks"));
    return builder.build();
  }

  /**
   * A user's payments must share a partition for their state to be right, so the record key must
   * be the payment's user; anything else is refused rather than scored against the wrong state.
   */
  static ParsedTransaction checkKey(String key, ParsedTransaction parsed) {
    if (!(parsed instanceof ParsedTransaction.Valid valid)) {
      return parsed;
    }
    String user = valid.transaction().user();
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
