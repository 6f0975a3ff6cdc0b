package io.fraudstream.features;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Completes a payment's features with its merchant's entity risk, keeping each merchant's
 * {@link EntityState} in a store keyed by merchant (records arrive repartitioned by merchant).
 */
public final class EntityProcessor implements FixedKeyProcessor<String, FeaturedTransaction, FeaturedTransaction> {

  private final String storeName;
  private final byte[] hashSecret;
  private FixedKeyProcessorContext<String, FeaturedTransaction> context;
  private KeyValueStore<String, EntityState> store;
  private EntityFeatureExtractor extractor;

  public EntityProcessor(String storeName, byte[] hashSecret) {
    this.storeName = storeName;
    this.hashSecret = hashSecret.clone();
  }

  @Override
  public void init(FixedKeyProcessorContext<String, FeaturedTransaction> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    this.extractor = new EntityFeatureExtractor(new IdentifierHasher(hashSecret));
  }

  @Override
  public void process(FixedKeyRecord<String, FeaturedTransaction> record) {
    long start = System.nanoTime();
    FeaturedTransaction featured = record.value();
    Transaction tx = featured.transaction();
    if (tx.merchant() == null) {
      context.forward(record);
      return;
    }
    EntityState state = store.get(tx.merchant());
    if (state == null) {
      state = EntityState.empty();
    }
    FeatureVector features = extractor.extract(state, tx, featured.features());
    store.put(tx.merchant(), state);
    context.forward(record.withValue(new FeaturedTransaction(tx, features,
        featured.extractionNanos() + System.nanoTime() - start)));
  }
}
