package io.fraudstream.engine;

import io.fraudstream.features.FeaturedTransaction;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Runs the {@link DecisionPolicy} on each featured payment. */
final class DecisionProcessor implements FixedKeyProcessor<String, FeaturedTransaction, Decision> {

  private final DecisionPolicy policy;
  private FixedKeyProcessorContext<String, Decision> context;

  DecisionProcessor(DecisionPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Decision> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, FeaturedTransaction> record) {
    context.forward(record.withValue(policy.decide(record.value(), Instant.now())));
  }
}
