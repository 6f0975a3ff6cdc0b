package io.fraudstream.engine.topology;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.decision.Reasons;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Runs the {@link DecisionPolicy} on each featured payment, after looking up the blocks in force:
 * a block on the user, the device or the merchant that has not expired at the payment's time
 * decides it.
 *
 * <p>Blocks are read back from the blocks topic into a global table on every instance, which
 * takes a commit and a read. A block this task places on its own user is also kept in the task's
 * {@code pendingStore} at once, so the user's very next payment meets it; it leaves that store
 * when the global table shows it, or after {@link #PENDING_FOR} in any case (so an unblock that
 * arrives before the table has shown the block takes effect after that long at most).
 *
 * <p>A CHALLENGE decision is kept in {@code openChallengesStore} until its result comes back
 * ({@link OpenChallenges}).
 */
final class DecisionProcessor implements FixedKeyProcessor<String, FeaturedTransaction, Decision> {

  private static final Rules.Entity[] BLOCKABLE = {Rules.Entity.USER, Rules.Entity.DEVICE, Rules.Entity.MERCHANT};
  static final Duration PENDING_FOR = Duration.ofMinutes(1);

  private final DecisionPolicy policy;
  private final EngineMetrics metrics;
  private final String blocksStore;
  private final String pendingStore;
  private final String openChallengesStore;
  private final Consumer<Decision> onDecided;
  private FixedKeyProcessorContext<String, Decision> context;
  private TimestampedKeyValueStore<String, Block> blocks;
  private KeyValueStore<String, Block> pending;
  private KeyValueStore<String, byte[]> openChallenges;
  /** When each pending block was first seen by this task instance, wall clock. */
  private final Map<String, Long> pendingSince = new HashMap<>();

  DecisionProcessor(DecisionPolicy policy, EngineMetrics metrics, String blocksStore, String pendingStore, String openChallengesStore,
      Consumer<Decision> onDecided) {
    this.onDecided = onDecided;
    this.policy = policy;
    this.metrics = metrics;
    this.blocksStore = blocksStore;
    this.pendingStore = pendingStore;
    this.openChallengesStore = openChallengesStore;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Decision> context) {
    this.context = context;
    this.blocks = context.getStateStore(blocksStore);
    this.pending = context.getStateStore(pendingStore);
    this.openChallenges = context.getStateStore(openChallengesStore);
    context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::settlePending);
  }

  @Override
  public void process(FixedKeyRecord<String, FeaturedTransaction> record) {
    Decision decision = policy.decide(record.value(), activeBlock(record.value().transaction()), Instant.now());
    metrics.decided(decision);
    metrics.drift(policy.model().bundle(), record.value().features(), decision.score(), decision.decidedAt());
    if (decision.placesBlock()) {
      Block block = policy.blockFor(decision);
      pending.put(block.entity(), block);
      pendingSince.put(block.entity(), System.currentTimeMillis());
    }
    if (decision.tier() == Tier.CHALLENGE) {
      String reason = Reasons.kindOf(decision);
      openChallenges.put(OpenChallenges.key(record.key(), decision.paymentId()), OpenChallenges.encode(decision, reason));
      metrics.challengeIssued(reason);
    }
    onDecided.accept(decision);
    context.forward(record.withValue(decision));
  }

  private Block activeBlock(Transaction tx) {
    for (Rules.Entity entity : BLOCKABLE) {
      String id = entity.of(tx);
      if (id == null) {
        continue;
      }
      String key = Rules.key(entity, id);
      ValueAndTimestamp<Block> found = blocks.get(key);
      if (found != null && found.value() != null && found.value().activeAt(tx.timestamp())) {
        return found.value();
      }
      if (entity == Rules.Entity.USER) {
        Block placedHere = pending.get(key);
        if (placedHere != null && placedHere.activeAt(tx.timestamp())) {
          return placedHere;
        }
      }
    }
    return null;
  }

  /** Drops the pending blocks the global table now shows, and those pending for longer than {@link #PENDING_FOR}. */
  private void settlePending(long now) {
    List<String> settled = new ArrayList<>();
    try (KeyValueIterator<String, Block> all = pending.all()) {
      while (all.hasNext()) {
        KeyValue<String, Block> entry = all.next();
        ValueAndTimestamp<Block> shown = blocks.get(entry.key);
        long since = pendingSince.computeIfAbsent(entry.key, key -> now);
        if (entry.value == null || (shown != null && entry.value.equals(shown.value())) || now - since >= PENDING_FOR.toMillis()) {
          settled.add(entry.key);
        }
      }
    }
    for (String key : settled) {
      pending.delete(key);
      pendingSince.remove(key);
    }
  }
}
