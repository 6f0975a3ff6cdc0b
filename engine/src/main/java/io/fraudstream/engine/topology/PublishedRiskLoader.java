package io.fraudstream.engine.topology;

import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.streams.EntityRiskProcessor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Fills every instance's copy of the entity-risk topic with what the entity sub-topology
 * publishes: entities' states and its progress. Anything else (only a hostile writer could put
 * it there) is counted and skipped, so no record on the topic can stop the global thread.
 */
final class PublishedRiskLoader implements Processor<String, byte[], Void, Void> {
  private final EngineMetrics metrics;
  private KeyValueStore<String, byte[]> store;

  PublishedRiskLoader(EngineMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(FraudTopology.ENTITY_RISK_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (!isPublishedRisk(record.key(), record.value())) {
      metrics.skipped("unreadable-entity-risk");
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
  }

  private static boolean isPublishedRisk(String key, byte[] value) {
    // A risk key is an entity, itself within the field limit, behind its kind.
    if (key == null || key.length() > 2 * InputLimits.MAX_FIELD_CHARS) {
      return false;
    }
    if (EntityRiskProcessor.isProgressKey(key)) {
      return value != null && EntityRiskProcessor.readProgress(value) != Long.MIN_VALUE;
    }
    if (EntityKind.ofRiskKey(key) == null) {
      return false;
    }
    // The form, not every field: a full read of each state here would double the cost of
    // publishing, and one that passes but cannot be read counts as unreadable where it is used.
    return value == null || EntityState.hasStoredForm(value);
  }
}
