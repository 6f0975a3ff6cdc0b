package io.fraudstream.engine.topology;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Gives a record the time the engine writes it, by its own clock. Decisions, alerts and dead
 * letters are records of what the engine did, kept as long as their topic's retention says from
 * when it did it; with the payment's time (the value still holds it), a replay or a backfill of
 * payments dated weeks back wrote records that a broker's default retention (7 days) deleted at
 * its next check, minutes after they were written.
 */
final class StampWritten<V> implements FixedKeyProcessor<String, V, V> {
  private FixedKeyProcessorContext<String, V> context;

  @Override
  public void init(FixedKeyProcessorContext<String, V> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    context.forward(record.withTimestamp(context.currentSystemTimeMs()));
  }
}
