package io.fraudstream.engine.topology;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The block a decision places. Its record time is when it was decided, so the global table sees
 * each entity's blocks in the order they were placed, whatever the payments' event times.
 */
final class PlaceBlock implements FixedKeyProcessor<String, Decision, Block> {
  private final DecisionPolicy policy;
  private FixedKeyProcessorContext<String, Block> context;

  PlaceBlock(DecisionPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Block> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, Decision> record) {
    context.forward(record.withValue(policy.blockFor(record.value())).withTimestamp(record.value().decidedAt().toEpochMilli()));
  }
}
