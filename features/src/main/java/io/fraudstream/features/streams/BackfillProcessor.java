package io.fraudstream.features.streams;

import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.UserState;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies a payment of history to its user's state, in the user's task, exactly as the live
 * {@link FeatureProcessor} and the offline replay do (the same {@link FeatureExtractor}, and a
 * challenge outcome the record carries right after it), and forwards it featured, for entity
 * risk only: nothing downstream decides it. A payment the state already holds, or is past
 * ({@link FeatureExtractor#alreadyHolds}), is skipped, so a backfill sent twice, or overlapping
 * the live feed, counts each payment once. No reorder buffer: the backfill sends in time order.
 */
public final class BackfillProcessor implements Processor<String, Transaction, String, FeaturedTransaction> {

  /** What became of a backfilled payment. */
  public enum Applied { APPLIED, ALREADY_HELD }

  private final String stateStoreName;
  private final Pseudonymiser pseudonymiser;
  private final Consumer<Applied> counted;
  private ProcessorContext<String, FeaturedTransaction> context;
  private KeyValueStore<String, UserState> store;
  private IdentifierHasher hasher;
  private FeatureExtractor extractor;

  public BackfillProcessor(String stateStoreName, Pseudonymiser pseudonymiser, Consumer<Applied> counted) {
    this.stateStoreName = stateStoreName;
    this.pseudonymiser = pseudonymiser;
    this.counted = counted;
  }

  @Override
  public void init(ProcessorContext<String, FeaturedTransaction> context) {
    this.context = context;
    this.store = context.getStateStore(stateStoreName);
    this.hasher = pseudonymiser.newHasher();
    this.extractor = new FeatureExtractor(hasher);
  }

  @Override
  public void process(Record<String, Transaction> record) {
    Transaction tx = hasher.pseudonymise(record.value());
    long start = System.nanoTime();
    UserState state = store.get(tx.user());
    if (state == null) {
      state = UserState.empty();
    } else if (FeatureExtractor.alreadyHolds(state, tx)) {
      counted.accept(Applied.ALREADY_HELD);
      return;
    }
    FeatureVector features = extractor.extract(state, tx);
    if (tx.challenge() != null) {
      FeatureExtractor.learnFromChallenge(state, tx.id(), tx.challenge(), tx.timestamp().toEpochMilli());
    }
    store.put(tx.user(), state);
    counted.accept(Applied.APPLIED);
    context.forward(new Record<>(tx.user(), new FeaturedTransaction(tx, features, System.nanoTime() - start),
        tx.timestamp().toEpochMilli()));
  }
}
