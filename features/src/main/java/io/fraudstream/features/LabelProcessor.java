package io.fraudstream.features;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Records confirmed frauds in their merchant's {@link EntityState}; labels arrive keyed by merchant. */
public final class LabelProcessor implements Processor<String, PaymentLabel, Void, Void> {

  private final String storeName;
  private KeyValueStore<String, EntityState> store;

  public LabelProcessor(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, PaymentLabel> record) {
    PaymentLabel label = record.value();
    if (!label.fraud() || label.merchant() == null) {
      return;
    }
    EntityState state = store.get(label.merchant());
    if (state == null) {
      state = EntityState.empty();
    }
    EntityFeatureExtractor.confirmFraud(state, label.paymentTime().toEpochMilli());
    store.put(label.merchant(), state);
  }
}
