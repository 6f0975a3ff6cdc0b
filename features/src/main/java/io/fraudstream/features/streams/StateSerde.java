package io.fraudstream.features.streams;

import io.fraudstream.features.EntityState;
import io.fraudstream.features.UserState;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The serde of a stored state ({@link UserState}, {@link EntityState}) from its byte form. */
public final class StateSerde {

  private StateSerde() {}

  /**
   * The user store's serde, in the form of {@link UserState#toBytes()}. A stored form this
   * version cannot read reads as absent, so the user starts afresh instead of stopping the stream
   * thread, and {@code onUnreadable} hears of it.
   */
  public static Serde<UserState> users(Consumer<IllegalArgumentException> onUnreadable) {
    return tolerant(UserState::toBytes, UserState::fromBytes, onUnreadable);
  }

  /**
   * Reads what {@code write} wrote. A form {@code read} refuses (a format this version does not
   * know, or corrupt bytes) reads as absent; {@code onUnreadable} hears of it.
   */
  static <S> Serde<S> tolerant(Function<S, byte[]> write, Function<byte[], S> read, Consumer<IllegalArgumentException> onUnreadable) {
    return Serdes.serdeFrom((topic, state) -> state == null ? null : write.apply(state), (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return read.apply(bytes);
      } catch (IllegalArgumentException e) {
        onUnreadable.accept(e);
        return null;
      }
    });
  }
}
