package io.fraudstream.engine;

import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.Transaction;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Runs the {@link DecisionPolicy} on each featured payment, after looking up the blocks read
 * back from the blocks topic: a block on the user, the device or the merchant that has not
 * expired at the payment's time decides it.
 */
final class DecisionProcessor implements FixedKeyProcessor<String, FeaturedTransaction, Decision> {

  private static final Rules.Entity[] BLOCKABLE = {Rules.Entity.USER, Rules.Entity.DEVICE, Rules.Entity.MERCHANT};

  private final DecisionPolicy policy;
  private final EngineMetrics metrics;
  private final String blocksStore;
  private FixedKeyProcessorContext<String, Decision> context;
  private TimestampedKeyValueStore<String, Block> blocks;

  DecisionProcessor(DecisionPolicy policy, EngineMetrics metrics, String blocksStore) {
    this.policy = policy;
    this.metrics = metrics;
    this.blocksStore = blocksStore;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Decision> context) {
    this.context = context;
    this.blocks = context.getStateStore(blocksStore);
  }

  @Override
  public void process(FixedKeyRecord<String, FeaturedTransaction> record) {
    Decision decision = policy.decide(record.value(), activeBlock(record.value().transaction()), Instant.now());
    metrics.decided(decision);
    context.forward(record.withValue(decision));
  }

  private Block activeBlock(Transaction tx) {
    for (Rules.Entity entity : BLOCKABLE) {
      String id = entity.of(tx);
      if (id == null) {
        continue;
      }
      ValueAndTimestamp<Block> found = blocks.get(Rules.key(entity, id));
      if (found != null && found.value() != null && found.value().activeAt(tx.timestamp())) {
        return found.value();
      }
    }
    return null;
  }
}
