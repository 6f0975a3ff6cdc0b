package io.fraudstream.features.streams;

import io.fraudstream.features.InputLimits;
import io.fraudstream.features.ParsedTransaction;
import java.util.function.LongPredicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Uses the payment's own timestamp as the record's event time, so that stream time, store
 * retention and any windows follow when payments happened rather than when they arrived.
 * Every other record (one that could not be read, or any record of another input, for which this
 * is the default extractor) keeps its Kafka timestamp; a record without one takes the
 * partition's time, or 0 before the partition has one. It never returns a negative time, which
 * Kafka Streams would skip without a trace, and never throws: the payment's time was checked to
 * lie in {@link InputLimits#EARLIEST} .. {@link InputLimits#LATEST} when it was read.
 */
public final class TransactionTimestampExtractor implements TimestampExtractor {

  private final LongPredicate accepted;

  /** Takes every payment's time: for inputs that carry no payments. */
  public TransactionTimestampExtractor() {
    this(time -> true);
  }

  /**
   * @param accepted whether a payment time (epoch millis) lies in the window the engine accepts.
   *     A payment outside it is on its way to the dead-letter topic and keeps its Kafka
   *     timestamp: its own time must not move stream time, or a single payment dated a year
   *     ahead would make retention forget every user.
   */
  public TransactionTimestampExtractor(LongPredicate accepted) {
    this.accepted = accepted;
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof ParsedTransaction.Valid valid) {
      long time = valid.transaction().timestamp().toEpochMilli();
      if (accepted.test(time)) {
        return time;
      }
    }
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
  }
}
