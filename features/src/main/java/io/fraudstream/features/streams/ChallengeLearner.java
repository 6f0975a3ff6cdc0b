package io.fraudstream.features.streams;

import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.UserState;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Teaches a user's state how a challenge of one of their payments ended
 * ({@link FeatureExtractor#learnFromChallenge}), in the user's own task: the challenge-results
 * topic is keyed by user and partitioned like the payments, so the result meets the state its
 * payment left without another hop. A result for a user with no state creates none. Each result
 * goes on with what it taught, for metrics and policy.
 */
public final class ChallengeLearner implements Processor<String, ChallengeResult, String, ChallengeLearner.Learned> {

  /** A result and what applying it did. */
  public record Learned(ChallengeResult result, FeatureExtractor.Learned learned) {}

  private final String storeName;
  private ProcessorContext<String, Learned> context;
  private KeyValueStore<String, UserState> store;

  public ChallengeLearner(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<String, Learned> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, ChallengeResult> record) {
    ChallengeResult result = record.value();
    UserState state = store.get(record.key());
    FeatureExtractor.Learned learned = state == null ? FeatureExtractor.Learned.UNKNOWN_PAYMENT
        : FeatureExtractor.learnFromChallenge(state, result.paymentId(), result.outcome(), result.time().toEpochMilli());
    if (learned == FeatureExtractor.Learned.APPLIED) {
      store.put(record.key(), state);
    }
    context.forward(record.withValue(new Learned(result, learned)));
  }
}
