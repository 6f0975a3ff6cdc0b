package io.fraudstream.features.streams;

import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for the transactions topic. Deserializing never throws: a bad record comes back as
 * {@link ParsedTransaction.Invalid} so the topology can send it to the dead-letter topic.
 */
public final class TransactionSerde implements Serde<ParsedTransaction> {

  @Override
  public Serializer<ParsedTransaction> serializer() {
    return (topic, parsed) -> parsed == null ? null : parsed.raw();
  }

  @Override
  public Deserializer<ParsedTransaction> deserializer() {
    return (topic, bytes) -> TransactionJson.parse(bytes);
  }

  /** Serializer for producers that write {@link Transaction}s to the topic. */
  public static Serializer<Transaction> transactionSerializer() {
    return (topic, tx) -> tx == null ? null : TransactionJson.write(tx);
  }
}
