package io.fraudstream.features;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps each user's {@link UserState} in a key-value store keyed by user and runs the
 * {@link FeatureExtractor} on every payment. The record key must be the user id, so that all of
 * a user's payments, and their state, live in one partition. Every six hours of stream time it
 * deletes the state of users idle for longer than {@link UserState#RETENTION}.
 */
public final class FeatureProcessor implements FixedKeyProcessor<String, Transaction, FeaturedTransaction> {

  static final Duration EVICTION_INTERVAL = Duration.ofHours(6);

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
    // The extractor already ignores expired state; this removes it from the store and changelog.
    context.schedule(EVICTION_INTERVAL, PunctuationType.STREAM_TIME, this::evictExpired);
  }

  private void evictExpired(long streamTime) {
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, UserState> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, UserState> entry = all.next();
        if (entry.value.expiredAt(streamTime)) {
          expired.add(entry.key);
        }
      }
    }
    expired.forEach(store::delete);
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
