package io.fraudstream.features;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Erases a user's state on request: a record on the erasures topic keyed by the user id deletes
 * their entry from the user-state store (and, through its changelog, a tombstone follows), so
 * their next payment starts fresh. A request without a user is forwarded, with the reason in the
 * {@link DeadLetterHeaders#REASON} header, for the dead-letter topic.
 */
public final class ErasureProcessor implements Processor<String, byte[], String, byte[]> {

  private final String storeName;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, UserState> store;

  public ErasureProcessor(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, byte[]> request) {
    if (request.key() == null || request.key().isBlank()) {
      request.headers().add(DeadLetterHeaders.REASON,
          "erasure request without a user: key it by the user id to erase".getBytes(StandardCharsets.UTF_8));
      context.forward(request);
      return;
    }
    store.delete(request.key());
  }
}
