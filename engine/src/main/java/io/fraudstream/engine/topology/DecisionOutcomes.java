package io.fraudstream.engine.topology;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.streams.StoreRetention;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins labels to the decisions they judge, for live precision and recall, without reading every
 * decision back: the payment's task sends only its CHALLENGE and BLOCK outcomes (tier and payment
 * time, 10 bytes), keyed by payment id like the labels, so that a payment's outcome and label meet
 * in one task. A label with no outcome stored judges an ALLOW, provided its payment lies within
 * {@link #RETENTION} of the task's stream time (older ones are counted as unmatched: their
 * outcome, if any, was forgotten). The store keeps each outcome, and the label it has had, for
 * {@link #RETENTION} after the payment.
 *
 * <p>A payment the backfill applied sends a mark instead ({@link #backfilled}): its labels
 * judge nothing, since no decision was made on it live.
 *
 * <p>A label that arrives before its payment's CHALLENGE or BLOCK outcome (both within the same
 * second or so) judges an ALLOW; labels come days later in practice.
 */
final class DecisionOutcomes {

  private static final Logger LOG = LoggerFactory.getLogger(DecisionOutcomes.class);

  /** How long a decision waits for its label: chargebacks arrive within about 90 days. */
  static final Duration RETENTION = Duration.ofDays(100);
  private static final byte NO_LABEL = 0;
  private static final byte LEGIT = 1;
  private static final byte FRAUD = 2;
  /** In the label byte of a payment the backfill applied: no decision was made on it, so no label judges one. */
  private static final byte BACKFILLED = 3;

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

  /** The outcome of a CHALLENGE or BLOCK decision, as the payment's task sends it to the join. */
  static byte[] suspicious(Decision decision) {
    return encode(decision.tier(), NO_LABEL, decision.timestamp().toEpochMilli());
  }

  /** The mark of a payment of history the backfill applied, sent like an outcome so that a later label judges nothing. */
  static byte[] backfilled(long paymentMillis) {
    return encode(Tier.ALLOW, BACKFILLED, paymentMillis);
  }

  /** Remembers each suspicious outcome, and each backfilled payment's mark; a record that is neither is counted and skipped. */
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
      // As sent: a suspicious tier and no label yet, or a backfilled payment's mark.
      boolean backfilledMark = isOutcome(record.value()) && record.value()[0] == Tier.ALLOW.ordinal() && record.value()[1] == BACKFILLED;
      if (record.key() == null || InputLimits.checkKey(record.key()) != null || !isOutcome(record.value())
          || !backfilledMark && (record.value()[0] == Tier.ALLOW.ordinal() || record.value()[1] != NO_LABEL)) {
        metrics.skipped("unreadable-outcome");
        LOG.warn("Skipping a record on the outcomes topic that is not an outcome (key {})", DeadLetters.boundedKey(record.key()));
        return;
      }
      if (store.get(record.key()) == null) {
        store.put(record.key(), record.value());
      }
    }
  }

  /** Scores each label against the decision it judges. */
  static final class Judge implements Processor<String, PaymentLabel, Void, Void> {
    private final String storeName;
    private final EngineMetrics metrics;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;

    Judge(String storeName, EngineMetrics metrics) {
      this.storeName = storeName;
      this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      this.context = context;
      store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, PaymentLabel> record) {
      byte[] outcome = store.get(record.key());
      long paymentMillis = record.value().paymentTime().toEpochMilli();
      if (!isOutcome(outcome)) {
        if (paymentMillis + RETENTION.toMillis() <= context.currentStreamTimeMs()) {
          metrics.unmatchedLabel();
          return;
        }
        // Only suspicious outcomes are sent here: a payment without one was allowed.
        outcome = encode(Tier.ALLOW, NO_LABEL, paymentMillis);
      }
      ByteBuffer in = ByteBuffer.wrap(outcome);
      Tier tier = Tier.values()[in.get(0)];
      byte previous = in.get(1);
      if (previous == BACKFILLED) {
        metrics.labelOfBackfilledPayment();
        return;
      }
      byte label = record.value().fraud() ? FRAUD : LEGIT;
      if (previous == label) {
        return;
      }
      metrics.labelled(tier, label == FRAUD, previous == NO_LABEL ? null : previous == FRAUD);
      store.put(record.key(), encode(tier, label, in.getLong(2)));
    }
  }
}
