package io.fraudstream.features;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Everything fraudstream remembers about one user, in fixed-size structures so that its size does
 * not grow with the user's history: two bucketed windows, decayed amount statistics, and capped
 * sets of keyed hashes of recent merchants and devices. No raw identifier is kept.
 */
public final class UserState {

  static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();
  static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
  static final long AMOUNT_HALF_LIFE_MILLIS = Duration.ofDays(30).toMillis();
  static final int RECENT_MERCHANTS = 32;
  static final int RECENT_DEVICES = 8;
  private static final byte FORMAT_VERSION = 1;

  /** Payments seen; saturates rather than overflowing. */
  long payments;
  /** Event time of the newest payment seen, epoch millis. */
  long lastPaymentMillis;
  final SlidingWindowCounter lastHour = new SlidingWindowCounter(HOUR_MILLIS, 12);
  final SlidingWindowCounter lastDay = new SlidingWindowCounter(DAY_MILLIS, 24);
  final DecayedStats amounts = new DecayedStats(AMOUNT_HALF_LIFE_MILLIS);
  final RecentSet merchants = new RecentSet(RECENT_MERCHANTS);
  final RecentSet devices = new RecentSet(RECENT_DEVICES);

  /** The state of a user never seen before. */
  public static UserState empty() {
    return new UserState();
  }

  /** Payments seen for this user since the state was created (or last erased). */
  public long payments() {
    return payments;
  }

  /** Serialized form, as kept in the state store and its changelog. */
  public byte[] toBytes() {
    int size = 1 + 2 * Long.BYTES + lastHour.serializedSize() + lastDay.serializedSize() + DecayedStats.SERIALIZED_SIZE
        + merchants.serializedSize() + devices.serializedSize();
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT_VERSION);
    out.putLong(payments);
    out.putLong(lastPaymentMillis);
    lastHour.write(out);
    lastDay.write(out);
    amounts.write(out);
    merchants.write(out);
    devices.write(out);
    return out.array();
  }

  /** Reads the form written by {@link #toBytes()}. */
  public static UserState fromBytes(byte[] data) {
    UserState state = new UserState();
    ByteBuffer in = ByteBuffer.wrap(data);
    try {
      byte version = in.get();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException("unsupported user state format " + version + ", expected " + FORMAT_VERSION);
      }
      state.payments = in.getLong();
      state.lastPaymentMillis = in.getLong();
      state.lastHour.read(in);
      state.lastDay.read(in);
      state.amounts.read(in);
      state.merchants.read(in);
      state.devices.read(in);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("corrupt user state: " + data.length + " bytes is too short", e);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("corrupt user state: " + in.remaining() + " unexpected trailing bytes");
    }
    return state;
  }
}
