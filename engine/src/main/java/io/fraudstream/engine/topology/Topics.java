package io.fraudstream.engine.topology;

import io.fraudstream.engine.decision.Alert;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.streams.TransactionSerde;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The engine's topic names, with the serdes of their keys and values defined beside them.
 * Names are configurable; {@link #defaults()} gives the ones in DESIGN.md.
 */
public record Topics(String transactions, String decisions, String alerts, String blocks, String deadLetters, String labels,
                     String erasures, String entityRisk, String challengeResults, String backfill) {

  public static final Serde<String> KEY_SERDE = Serdes.String();
  public static final Serde<ParsedTransaction> TRANSACTION_SERDE = new TransactionSerde();
  /** Bytes as they are: dead letters, and the inputs (labels, erasures) parsed after they are read. */
  public static final Serde<byte[]> RAW_SERDE = Serdes.ByteArray();
  public static final JsonSerde<Decision> DECISION_SERDE = new JsonSerde<>(Decision.class);
  public static final JsonSerde<Alert> ALERT_SERDE = new JsonSerde<>(Alert.class);
  public static final JsonSerde<Block> BLOCK_SERDE = new JsonSerde<>(Block.class);

  public Topics {
    for (String name : new String[] {transactions, decisions, alerts, blocks, deadLetters, labels, erasures, entityRisk, challengeResults, backfill}) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("topic names must not be blank");
      }
    }
  }

  public static Topics defaults() {
    return new Topics("transactions", "decisions", "alerts", "blocks", "transactions-dlq", "labels", "erasures", "entity-risk",
        "challenge-results", "backfill");
  }

  /** The same topics reading payments from {@code name}. */
  public Topics withTransactions(String name) {
    return new Topics(name, decisions, alerts, blocks, deadLetters, labels, erasures, entityRisk, challengeResults, backfill);
  }

  /** The same topics publishing entity risk on {@code name}: an application of its own on a shared cluster needs its own. */
  public Topics withEntityRisk(String name) {
    return new Topics(transactions, decisions, alerts, blocks, deadLetters, labels, erasures, name, challengeResults, backfill);
  }

  /** The same topics reading how step-up verifications ended from {@code name}. */
  public Topics withChallengeResults(String name) {
    return new Topics(transactions, decisions, alerts, blocks, deadLetters, labels, erasures, entityRisk, name, backfill);
  }

  /** The same topics reading history to bring the users' and entities' state up to date from {@code name}. */
  public Topics withBackfill(String name) {
    return new Topics(transactions, decisions, alerts, blocks, deadLetters, labels, erasures, entityRisk, challengeResults, name);
  }

  /** The same topics with {@code prefix} before every name, for a run that must not touch these. */
  public Topics prefixed(String prefix) {
    return new Topics(prefix + transactions, prefix + decisions, prefix + alerts, prefix + blocks, prefix + deadLetters,
        prefix + labels, prefix + erasures, prefix + entityRisk, prefix + challengeResults, prefix + backfill);
  }

  /** Every topic the engine reads or writes. */
  public List<String> all() {
    return List.of(transactions, decisions, alerts, blocks, deadLetters, labels, erasures, entityRisk, challengeResults, backfill);
  }

  /**
   * A topic as the reference page of topics shows it.
   *
   * @param writer who writes it: a payment service, the engine, an operator's tool
   * @param key what its records are keyed by
   * @param value what a record holds
   */
  public record Described(String name, String writer, String key, String value, boolean compacted) {}

  /** Every topic, who writes it, its key and its value; beside the names, so that a renamed or added topic is described. */
  public List<Described> described() {
    Set<String> compacted = compacted();
    return List.of(
        new Described(transactions, "payment service", "user id", "a transaction event (JSON)", compacted.contains(transactions)),
        new Described(decisions, "engine", "payment id", "exactly one decision per valid payment: tier, score, reasons, features",
            compacted.contains(decisions)),
        new Described(alerts, "engine", "user id", "a notification for each CHALLENGE and BLOCK, with its text", compacted.contains(alerts)),
        new Described(blocks, "engine, `unblock`, console", "`user:<id>`, `device:<token>` or `merchant:<id>`",
            "a block with its expiry, or a tombstone that lifts it; read back by every instance", compacted.contains(blocks)),
        new Described(deadLetters, "engine", "the input record's key",
            "the raw bytes (cut to 64 KiB) with headers `fraudstream.error.reason`, `.topic`, `.partition`, `.offset`, `.stage`",
            compacted.contains(deadLetters)),
        new Described(labels, "case system, console", "payment id", "a confirmed outcome: `{\"fraud\":true}`, optionally the payment's "
            + "time, merchant and device", compacted.contains(labels)),
        new Described(erasures, "privacy tooling, `erase`", "user id", "a request to forget the user (any value)", compacted.contains(erasures)),
        new Described(entityRisk, "engine", "`device|<token>`, `merchant|<id>`, `#progress|<partition>`",
            "each device's and merchant's state as last published, and each entity task's progress; read by every instance",
            compacted.contains(entityRisk)),
        new Described(challengeResults, "payment service", "user id",
            "how a step-up verification ended: payment id, `passed`, `failed` or `abandoned`, method, time", compacted.contains(challengeResults)),
        new Described(backfill, "`backfill`, a replay of history", "user id",
            "a transaction event of history, optionally with its label and challenge outcome; decided by no one", compacted.contains(backfill)));
  }

  /** The topics only the latest record per key matters on, compacted: the blocks and the entities' published risk. */
  public Set<String> compacted() {
    return Set.of(blocks, entityRisk);
  }
}
