package io.fraudstream.features;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Compact binary serde for {@link UserState} in the state store and changelog. */
public final class UserStateSerde implements Serde<UserState> {

  @Override
  public Serializer<UserState> serializer() {
    return (topic, state) -> state == null ? null : state.toBytes();
  }

  @Override
  public Deserializer<UserState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : UserState.fromBytes(bytes);
  }
}
