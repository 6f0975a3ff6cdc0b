package io.fraudstream.features.streams;

import io.fraudstream.features.EntityEvent;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.Transaction;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns each decided payment into one {@link EntityEvent} per entity it names, keyed by
 * {@link EntityKind#riskKey}, for the entity sub-topology: the payment's time, amount and user
 * hash, and nothing else of it.
 */
public final class EntityEventSource implements Processor<String, FeaturedTransaction, String, byte[]> {

  private final Pseudonymiser pseudonymiser;
  private ProcessorContext<String, byte[]> context;
  private IdentifierHasher hasher;

  public EntityEventSource(Pseudonymiser pseudonymiser) {
    this.pseudonymiser = pseudonymiser;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.hasher = pseudonymiser.newHasher();
  }

  @Override
  public void process(Record<String, FeaturedTransaction> record) {
    Transaction tx = record.value().transaction();
    byte[] event = null;
    for (EntityKind kind : EntityKind.values()) {
      String entity = kind.of(tx);
      if (entity != null) {
        if (event == null) {
          event = EntityEvent.payment(tx.timestamp().toEpochMilli(), tx.amount(), hasher.hash(tx.user())).toBytes();
        }
        context.forward(new Record<>(kind.riskKey(entity), event, record.timestamp()));
      }
    }
  }
}
