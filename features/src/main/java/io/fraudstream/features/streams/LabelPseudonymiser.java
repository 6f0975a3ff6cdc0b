package io.fraudstream.features.streams;

import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Pseudonymiser;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Replaces a label's device by its token before the label is repartitioned or stored. */
public final class LabelPseudonymiser implements FixedKeyProcessor<String, PaymentLabel, PaymentLabel> {

  private final Pseudonymiser pseudonymiser;
  private FixedKeyProcessorContext<String, PaymentLabel> context;
  private IdentifierHasher hasher;

  public LabelPseudonymiser(Pseudonymiser pseudonymiser) {
    this.pseudonymiser = pseudonymiser;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, PaymentLabel> context) {
    this.context = context;
    this.hasher = pseudonymiser.newHasher();
  }

  @Override
  public void process(FixedKeyRecord<String, PaymentLabel> record) {
    context.forward(record.withValue(record.value().pseudonymise(hasher)));
  }
}
