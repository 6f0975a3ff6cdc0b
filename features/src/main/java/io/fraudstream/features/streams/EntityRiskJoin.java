package io.fraudstream.features.streams;

import io.fraudstream.features.EntityEvent;
import io.fraudstream.features.EntityFeatureExtractor;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.Transaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Completes a payment's features with the risk of every {@link EntityKind} it names, in the
 * payment's own task: each entity's state is read from the local copy of the entity-risk topic
 * (a global store), the payment is recorded in a private copy of it, and the features are read
 * from that copy, exactly as {@link EntityFeatureExtractor#extractInto} does offline. Nothing
 * is written back: the entity sub-topology ({@link EntityRiskProcessor}) records the payment for
 * good when its {@link EntityEvent} arrives.
 *
 * <p>The consistency model is bounded staleness: a decision sees every entity event the entity
 * sub-topology had applied and published when the payment was decided. One whose entity
 * partition had not yet applied events up to {@code stalenessBound} before the payment's time is
 * counted through {@code onStale}, by kind.
 */
public final class EntityRiskJoin implements FixedKeyProcessor<String, FeaturedTransaction, FeaturedTransaction> {

  private final String riskStoreName;
  private final Pseudonymiser pseudonymiser;
  private final Duration labelDelay;
  private final int entityPartitions;
  private final long stalenessBoundMillis;
  private final Consumer<EntityKind> onStale;
  private final Consumer<IllegalArgumentException> onUnreadable;
  private FixedKeyProcessorContext<String, FeaturedTransaction> context;
  private KeyValueStore<String, byte[]> risk;
  private EntityFeatureExtractor extractor;

  /**
   * @param entityPartitions partitions of the entity-event topic, to find which task publishes an entity's progress
   * @param onUnreadable hears of a published state this version cannot read; it is read as a new entity
   */
  public EntityRiskJoin(String riskStoreName, Pseudonymiser pseudonymiser, Duration labelDelay, int entityPartitions, Duration stalenessBound,
      Consumer<EntityKind> onStale, Consumer<IllegalArgumentException> onUnreadable) {
    this.riskStoreName = riskStoreName;
    this.pseudonymiser = pseudonymiser;
    this.labelDelay = EntityState.checkLabelDelay(labelDelay);
    this.entityPartitions = entityPartitions;
    this.stalenessBoundMillis = stalenessBound.toMillis();
    this.onStale = onStale;
    this.onUnreadable = onUnreadable;
  }

  /** The partition of the entity-event topic an entity's events go to (the producer's default partitioner). */
  public static int partitionOf(String riskKey, int partitions) {
    return Utils.toPositive(Utils.murmur2(riskKey.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, FeaturedTransaction> context) {
    this.context = context;
    this.risk = context.getStateStore(riskStoreName);
    this.extractor = new EntityFeatureExtractor(pseudonymiser.newHasher(), labelDelay);
  }

  @Override
  public void process(FixedKeyRecord<String, FeaturedTransaction> record) {
    long start = System.nanoTime();
    FeaturedTransaction featured = record.value();
    Transaction tx = featured.transaction();
    double[] values = featured.features().toArray();
    for (EntityKind kind : EntityKind.values()) {
      String entity = kind.of(tx);
      if (entity == null) {
        continue;
      }
      String key = kind.riskKey(entity);
      extractor.extractInto(kind, published(key), tx, values);
      long progress = EntityRiskProcessor.readProgress(risk.get(EntityRiskProcessor.progressKey(partitionOf(key, entityPartitions))));
      if (progress == Long.MIN_VALUE || tx.timestamp().toEpochMilli() - progress > stalenessBoundMillis) {
        onStale.accept(kind);
      }
    }
    context.forward(record.withValue(new FeaturedTransaction(tx, new FeatureVector(values),
        featured.extractionNanos() + System.nanoTime() - start)));
  }

  private EntityState published(String key) {
    byte[] bytes = risk.get(key);
    if (bytes == null) {
      return EntityState.empty();
    }
    try {
      return EntityState.fromBytes(bytes);
    } catch (IllegalArgumentException e) {
      onUnreadable.accept(e);
      return EntityState.empty();
    }
  }
}
