package io.fraudstream.features;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps each user's {@link UserState} in a key-value store keyed by user and runs the
 * {@link FeatureExtractor} on every payment. The record key must be the user id, so that all of
 * a user's payments, and their state, live in one partition.
 */
public final class FeatureProcessor implements FixedKeyProcessor<String, Transaction, FeaturedTransaction> {

  private final String storeName;
  private final byte[] hashSecret;
  private FixedKeyProcessorContext<String, FeaturedTransaction> context;
  private KeyValueStore<String, UserState> store;
  private FeatureExtractor extractor;

  public FeatureProcessor(String storeName, byte[] hashSecret) {
    this.storeName = storeName;
    this.hashSecret = hashSecret.clone();
  }

  @Override
  public void init(FixedKeyProcessorContext<String, FeaturedTransaction> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    this.extractor = new FeatureExtractor(new IdentifierHasher(hashSecret));
  }

  @Override
  public void process(FixedKeyRecord<String, Transaction> record) {
    long start = System.nanoTime();
    Transaction tx = record.value();
    UserState state = store.get(tx.user());
    if (state == null) {
      state = UserState.empty();
    }
    FeatureVector features = extractor.extract(state, tx);
    store.put(tx.user(), state);
    context.forward(record.withValue(new FeaturedTransaction(tx, features, System.nanoTime() - start)));
  }
}
