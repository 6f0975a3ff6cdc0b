package io.fraudstream.features;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Uses the payment's own timestamp as the record's event time, so that stream time, store
 * retention and any windows follow when payments happened rather than when they arrived.
 * Records that could not be read keep their Kafka timestamp, so they still flow to the DLQ.
 */
public final class TransactionTimestampExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof ParsedTransaction.Valid valid) {
      return valid.transaction().timestamp().toEpochMilli();
    }
    return record.timestamp() >= 0 ? record.timestamp() : partitionTime;
  }
}
