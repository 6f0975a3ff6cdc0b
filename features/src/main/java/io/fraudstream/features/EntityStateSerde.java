package io.fraudstream.features;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Binary serde for {@link EntityState} in the merchant store and its changelog. */
public final class EntityStateSerde implements Serde<EntityState> {

  @Override
  public Serializer<EntityState> serializer() {
    return (topic, state) -> state == null ? null : state.toBytes();
  }

  @Override
  public Deserializer<EntityState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : EntityState.fromBytes(bytes);
  }
}
