package io.fraudstream.features.streams;

import io.fraudstream.features.UserState;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Erases a user's state on request: a record on the erasures topic keyed by the user id deletes
 * their entry from the user-state store (and, through its changelog, a tombstone follows), so
 * their next payment starts fresh. Requests without a user are routed to the dead-letter topic
 * before they get here.
 */
public final class ErasureProcessor implements Processor<String, byte[], Void, Void> {

  private final String storeName;
  private KeyValueStore<String, UserState> store;

  public ErasureProcessor(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, byte[]> request) {
    store.delete(request.key());
  }
}
