package io.fraudstream.features.streams;

import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.UserState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link FeatureExtractor} on every payment of a task, in event-time order within a
 * grace period, keeping each user's {@link UserState} in a store keyed by user. The record key
 * must be the user id, so that all of a user's payments, and their state, live in one partition.
 *
 * <p>Raw device, IP, payee and country are replaced by tokens ({@link IdentifierHasher#pseudonymise})
 * before anything else, so nothing stored or forwarded holds them.
 *
 * <p>With a grace of zero every payment is decided on arrival. With a grace G, payments wait in a
 * reorder buffer (a store, so a restart loses none) until the task's watermark, the newest payment
 * time seen, has passed their time by G, and leave it oldest first: any arrival order within G
 * gives the same features as time order. A payment older than the watermark minus G is late:
 * it is decided at once against the state as it stands and counted in the {@code late-payments}
 * metric. With a grace of zero the watermark is kept in memory only, so after a restart late
 * payments are counted from the first payment on. When no payment arrives for G of wall-clock time, the buffer is flushed, so a quiet
 * partition never holds a payment back for much longer than 2 G.
 */
public final class FeatureProcessor implements Processor<String, Transaction, String, FeaturedTransaction> {

  private static final Logger LOG = LoggerFactory.getLogger(FeatureProcessor.class);
  /** Scope, entity and operation of the late-payment metric ({@code late-payments-total} and {@code -rate}). */
  public static final String METRIC_SCOPE = "fraudstream";
  public static final String LATE_PAYMENTS = "late-payments";
  /** Buffered payments this version cannot read back (only after a change of the buffer's form); logged and skipped. */
  public static final String UNREADABLE_BUFFERED = "unreadable-buffered-payments";
  /** Where the watermark is kept in the buffer store; shorter than, so ordered before, every payment key. */
  private static final Bytes WATERMARK_KEY = Bytes.wrap(new byte[] {0});

  private final String stateStoreName;
  private final String bufferStoreName;
  private final Pseudonymiser pseudonymiser;
  private final long graceMillis;
  private ProcessorContext<String, FeaturedTransaction> context;
  private KeyValueStore<String, UserState> store;
  private KeyValueStore<Bytes, byte[]> buffer;
  private IdentifierHasher hasher;
  private FeatureExtractor extractor;
  private Sensor latePayments;
  private Sensor unreadableBuffered;
  private long watermark = Long.MIN_VALUE;
  private long oldestBuffered = Long.MAX_VALUE;
  private long arrivedSinceIdleCheck;

  /**
   * @param bufferStoreName a store of {@code Bytes} to {@code byte[]}: the reorder buffer and the watermark
   * @param grace how far out of time order payments may arrive and still be decided in order
   */
  public FeatureProcessor(String stateStoreName, String bufferStoreName, Pseudonymiser pseudonymiser, Duration grace) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("the grace period must not be negative, got " + grace);
    }
    this.stateStoreName = stateStoreName;
    this.bufferStoreName = bufferStoreName;
    this.pseudonymiser = pseudonymiser;
    this.graceMillis = grace.toMillis();
  }

  @Override
  public void init(ProcessorContext<String, FeaturedTransaction> context) {
    this.context = context;
    this.store = context.getStateStore(stateStoreName);
    this.buffer = context.getStateStore(bufferStoreName);
    this.hasher = pseudonymiser.newHasher();
    this.extractor = new FeatureExtractor(hasher);
    this.latePayments = context.metrics().addRateTotalSensor(METRIC_SCOPE, context.taskId().toString(), LATE_PAYMENTS,
        Sensor.RecordingLevel.INFO);
    this.unreadableBuffered = context.metrics().addRateTotalSensor(METRIC_SCOPE, context.taskId().toString(), UNREADABLE_BUFFERED,
        Sensor.RecordingLevel.INFO);
    byte[] saved = buffer.get(WATERMARK_KEY);
    watermark = saved == null || saved.length != Long.BYTES ? Long.MIN_VALUE : ByteBuffer.wrap(saved).getLong();
    oldestBuffered = oldestBufferedTime();
    StoreRetention.schedule(context, store, UserState::expiredAt);
    if (graceMillis > 0) {
      context.schedule(Duration.ofMillis(graceMillis), PunctuationType.WALL_CLOCK_TIME, now -> flushIfIdle());
    }
  }

  @Override
  public void process(Record<String, Transaction> record) {
    Transaction tx = hasher.pseudonymise(record.value());
    long time = tx.timestamp().toEpochMilli();
    arrivedSinceIdleCheck++;
    if (watermark != Long.MIN_VALUE && time < watermark - graceMillis) {
      latePayments.record();
      extractAndForward(tx);
      return;
    }
    if (time > watermark) {
      watermark = time;
      // Without a grace the watermark only counts late payments: kept in memory, it keeps the
      // buffer's changelog out of every commit of the payment path.
      if (graceMillis > 0) {
        buffer.put(WATERMARK_KEY, ByteBuffer.allocate(Long.BYTES).putLong(watermark).array());
      }
    }
    if (graceMillis == 0) {
      extractAndForward(tx);
      return;
    }
    RecordMetadata origin = context.recordMetadata().orElseThrow();
    buffer.put(bufferKey(time, origin.partition(), origin.offset()), TransactionJson.write(tx));
    oldestBuffered = Math.min(oldestBuffered, time);
    emitUpTo(watermark - graceMillis);
  }

  private void flushIfIdle() {
    if (arrivedSinceIdleCheck == 0) {
      emitUpTo(Long.MAX_VALUE);
    }
    arrivedSinceIdleCheck = 0;
  }

  /** Decides every buffered payment with a time up to {@code cutoff}, oldest first (ties in arrival order). */
  private void emitUpTo(long cutoff) {
    if (oldestBuffered > cutoff) {
      return;
    }
    List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
    // Entries not of this version's making (written to the changelog by another): never decided.
    List<Bytes> foreign = new ArrayList<>();
    long remaining = Long.MAX_VALUE;
    try (KeyValueIterator<Bytes, byte[]> all = buffer.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> entry = all.next();
        if (entry.key.equals(WATERMARK_KEY)) {
          continue;
        }
        if (!isBufferKey(entry.key)) {
          foreign.add(entry.key);
          continue;
        }
        long time = timeOf(entry.key);
        if (time > cutoff) {
          remaining = time;
          break;
        }
        due.add(entry);
      }
    }
    for (Bytes key : foreign) {
      buffer.delete(key);
      unreadableBuffered.record();
    }
    for (KeyValue<Bytes, byte[]> entry : due) {
      buffer.delete(entry.key);
      ParsedTransaction parsed = TransactionJson.parse(entry.value);
      if (parsed instanceof ParsedTransaction.Valid valid) {
        extractAndForward(valid.transaction());
      } else {
        unreadableBuffered.record();
        LOG.warn("Skipping a buffered payment this version cannot read ({}); counted in {}-total",
            ((ParsedTransaction.Invalid) parsed).reason(), UNREADABLE_BUFFERED);
      }
    }
    oldestBuffered = remaining;
  }

  private void extractAndForward(Transaction tx) {
    long start = System.nanoTime();
    UserState state = store.get(tx.user());
    if (state == null) {
      state = UserState.empty();
    }
    FeatureVector features = extractor.extract(state, tx);
    store.put(tx.user(), state);
    context.forward(new Record<>(tx.user(), new FeaturedTransaction(tx, features, System.nanoTime() - start),
        tx.timestamp().toEpochMilli()));
  }

  private long oldestBufferedTime() {
    try (KeyValueIterator<Bytes, byte[]> all = buffer.all()) {
      while (all.hasNext()) {
        Bytes key = all.next().key;
        if (isBufferKey(key)) {
          return timeOf(key);
        }
      }
    }
    return Long.MAX_VALUE;
  }

  // Event time first, with the sign bit flipped so that unsigned byte order is time order; then
  // the partition and offset, unique within the task and in arrival order.
  static Bytes bufferKey(long timeMillis, int partition, long offset) {
    return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + Integer.BYTES + Long.BYTES)
        .putLong(timeMillis ^ Long.MIN_VALUE).putInt(partition).putLong(offset).array());
  }

  private static boolean isBufferKey(Bytes key) {
    return key.get().length == Long.BYTES + Integer.BYTES + Long.BYTES;
  }

  static long timeOf(Bytes key) {
    return ByteBuffer.wrap(key.get()).getLong() ^ Long.MIN_VALUE;
  }
}
