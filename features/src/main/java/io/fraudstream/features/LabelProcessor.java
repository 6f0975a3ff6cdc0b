package io.fraudstream.features;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Records confirmed frauds in the {@link EntityState} of one {@link EntityKind}; labels arrive keyed by that entity. */
public final class LabelProcessor implements Processor<String, PaymentLabel, Void, Void> {

  private final EntityKind kind;
  private final String storeName;
  private KeyValueStore<String, EntityState> store;

  public LabelProcessor(EntityKind kind, String storeName) {
    this.kind = kind;
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, PaymentLabel> record) {
    PaymentLabel label = record.value();
    String entity = kind.of(label);
    if (!label.fraud() || entity == null) {
      return;
    }
    EntityState state = store.get(entity);
    if (state == null) {
      state = EntityState.empty();
    }
    EntityFeatureExtractor.confirmFraud(state, label.paymentTime().toEpochMilli());
    store.put(entity, state);
  }
}
