package io.fraudstream.engine;

import io.fraudstream.features.InputLimits;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.StoreRetention;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins labels to the decisions they judge, for live precision and recall. Decisions are read
 * back from the decisions topic and labels from the labels topic, both keyed by payment id, so a
 * payment's decision and label meet in one task; the store keeps each decision's tier, and the
 * label it has had, for {@link #RETENTION} after the payment.
 */
final class DecisionOutcomes {

  private static final Logger LOG = LoggerFactory.getLogger(DecisionOutcomes.class);

  /** How long a decision waits for its label: chargebacks arrive within about 90 days. */
  static final Duration RETENTION = Duration.ofDays(100);
  private static final byte NO_LABEL = 0;
  private static final byte LEGIT = 1;
  private static final byte FRAUD = 2;

  private DecisionOutcomes() {}

  private static byte[] encode(Tier tier, byte label, long paymentMillis) {
    return ByteBuffer.allocate(10).put((byte) tier.ordinal()).put(label).putLong(paymentMillis).array();
  }

  /** Whether a stored value is an outcome as {@link #encode} writes it (a record written to the changelog by another could be anything). */
  private static boolean isOutcome(byte[] value) {
    return value != null && value.length == 10 && value[0] >= 0 && value[0] < Tier.values().length;
  }

  private static void scheduleRetention(ProcessorContext<Void, Void> context, KeyValueStore<String, byte[]> store) {
    // A value of any other length is not of this version's making: it goes too.
    StoreRetention.schedule(context, store, (value, streamTime) -> !isOutcome(value)
        || ByteBuffer.wrap(value).getLong(2) + RETENTION.toMillis() <= streamTime);
  }

  /**
   * The two fields of a decision the join needs. Reading only these skips building the
   * decision's feature map and reasons, once per payment.
   */
  record Outcome(Tier tier, Instant timestamp) {}

  private static final JsonSerde<Outcome> OUTCOME_SERDE = new JsonSerde<>(Outcome.class);

  /** Remembers each decision's tier; a record on the decisions topic that is not a decision is logged and skipped. */
  static final class Remember implements Processor<String, byte[], Void, Void> {
    private final String storeName;
    private final EngineMetrics metrics;
    private KeyValueStore<String, byte[]> store;

    Remember(String storeName, EngineMetrics metrics) {
      this.storeName = storeName;
      this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(storeName);
      scheduleRetention(context, store);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      Outcome decision;
      String tooLarge = record.value() == null ? null : InputLimits.checkRecordSize(record.value().length);
      try {
        decision = tooLarge != null ? null : OUTCOME_SERDE.deserializer().deserialize(null, record.value());
      } catch (RuntimeException e) {
        metrics.skipped("unreadable-decision");
        LOG.warn("Skipping a record on the decisions topic that is not a decision (key {}): {}", DeadLetters.boundedKey(record.key()),
            e.getMessage());
        return;
      }
      if (record.key() == null || InputLimits.checkKey(record.key()) != null || decision == null || decision.tier() == null
          || decision.timestamp() == null) {
        metrics.skipped("unreadable-decision");
        LOG.warn("Skipping a record on the decisions topic without a payment id, tier or timestamp, or over the size limits (key {})",
            DeadLetters.boundedKey(record.key()));
        return;
      }
      if (store.get(record.key()) == null) {
        store.put(record.key(), encode(decision.tier(), NO_LABEL, decision.timestamp().toEpochMilli()));
      }
    }
  }

  /** Scores each label against the decision it judges. */
  static final class Judge implements Processor<String, PaymentLabel, Void, Void> {
    private final String storeName;
    private final EngineMetrics metrics;
    private KeyValueStore<String, byte[]> store;

    Judge(String storeName, EngineMetrics metrics) {
      this.storeName = storeName;
      this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, PaymentLabel> record) {
      byte[] outcome = store.get(record.key());
      if (!isOutcome(outcome)) {
        metrics.unmatchedLabel();
        return;
      }
      ByteBuffer in = ByteBuffer.wrap(outcome);
      Tier tier = Tier.values()[in.get(0)];
      byte previous = in.get(1);
      byte label = record.value().fraud() ? FRAUD : LEGIT;
      if (previous == label) {
        return;
      }
      metrics.labelled(tier, label == FRAUD, previous == NO_LABEL ? null : previous == FRAUD);
      store.put(record.key(), encode(tier, label, in.getLong(2)));
    }
  }
}
