package io.fraudstream.features;

import java.time.Duration;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Completes a payment's features with the risk of one {@link EntityKind}, keeping each entity's
 * {@link EntityState} in a store keyed by the entity (records arrive repartitioned by it).
 */
public final class EntityProcessor implements FixedKeyProcessor<String, FeaturedTransaction, FeaturedTransaction> {

  private final EntityKind kind;
  private final String storeName;
  private final byte[] hashSecret;
  private final Duration labelDelay;
  private FixedKeyProcessorContext<String, FeaturedTransaction> context;
  private KeyValueStore<String, EntityState> store;
  private EntityFeatureExtractor extractor;

  public EntityProcessor(EntityKind kind, String storeName, byte[] hashSecret, Duration labelDelay) {
    this.kind = kind;
    this.storeName = storeName;
    this.hashSecret = hashSecret.clone();
    this.labelDelay = EntityState.checkLabelDelay(labelDelay);
  }

  @Override
  public void init(FixedKeyProcessorContext<String, FeaturedTransaction> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    this.extractor = new EntityFeatureExtractor(new IdentifierHasher(hashSecret), labelDelay);
    StoreRetention.schedule(context, store, EntityState::expiredAt);
  }

  @Override
  public void process(FixedKeyRecord<String, FeaturedTransaction> record) {
    long start = System.nanoTime();
    FeaturedTransaction featured = record.value();
    Transaction tx = featured.transaction();
    String entity = kind.of(tx);
    if (entity == null) {
      context.forward(record);
      return;
    }
    EntityState state = store.get(entity);
    if (state == null) {
      state = EntityState.empty();
    }
    FeatureVector features = extractor.extract(kind, state, tx, featured.features());
    store.put(entity, state);
    context.forward(record.withValue(new FeaturedTransaction(tx, features,
        featured.extractionNanos() + System.nanoTime() - start)));
  }
}
