package io.fraudstream.engine.topology;

import io.fraudstream.features.PaymentLabel;
import java.util.function.LongPredicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Uses a label's own payment time as its event time, so that the label join and the entity
 * states age by when payments happened, whatever time the label's record carries. Whoever writes
 * labels can then leave the record time to the producer (now): a label of a history stamped with
 * its payment's time would be deleted by a broker's retention check before it was read. A label
 * that cannot be read, or whose time the engine does not accept, is on its way to the dead-letter
 * topic and keeps its record time; this never throws and never returns a negative time.
 */
final class LabelTimestampExtractor implements TimestampExtractor {

  private final LongPredicate accepted;

  /** @param accepted whether a label time (epoch millis) lies in the window the engine accepts */
  LabelTimestampExtractor(LongPredicate accepted) {
    this.accepted = accepted;
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.key() instanceof String paymentId && record.value() instanceof byte[] value) {
      try {
        long time = PaymentLabel.parse(paymentId, value).paymentTime().toEpochMilli();
        if (accepted.test(time)) {
          return time;
        }
      } catch (RuntimeException unreadable) {
        // read again, and sent to the dead-letter topic with the reason, by the label's parser
      }
    }
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
  }
}
