package io.fraudstream.engine.topology;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.ParsedTransaction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How what the engine reads is checked before it is used: payments (by the topology and by the
 * decide endpoint alike), blocks read back into the global table, and stored states this version
 * cannot read. Each says why a record is refused, and none lets one record stop a thread.
 */
public final class InputChecks {

  private static final Logger LOG = LoggerFactory.getLogger(InputChecks.class);

  private InputChecks() {}

  /**
   * Blocks as the global table reads them. A record that is not a block (or is larger than the
   * input limit) is logged, counted and read as a tombstone: it lifts any block on its key, as
   * compaction would make it do at the next restart anyway; a global table cannot send it to the
   * dead-letter topic, and one unreadable record must not stop every instance.
   */
  static Serde<Block> readableBlocks(EngineMetrics metrics) {
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
  static Consumer<IllegalArgumentException> unreadableState(String store, EngineMetrics metrics) {
    AtomicBoolean logged = new AtomicBoolean();
    return error -> {
      metrics.unreadableState(store);
      if (logged.compareAndSet(false, true)) {
        LOG.warn("A state in the {} store cannot be read by this version ({}); it is read as absent, so its user or entity "
            + "starts afresh. Further ones are counted in fraudstream_state_unreadable_total, not logged", store, error.getMessage());
      }
    };
  }

  /**
   * A user's payments must share a partition for their state to be right, so the record key must
   * be the payment's user; anything else is refused rather than scored against the wrong state.
   * The payment's time must lie in the accepted window, or its outputs could be refused by the brokers.
   * The decide endpoint checks what it is sent with this too, before writing it.
   */
  public static ParsedTransaction checkRecord(String key, ParsedTransaction parsed, InputWindow window) {
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
