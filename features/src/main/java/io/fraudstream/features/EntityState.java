package io.fraudstream.features;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What fraudstream remembers about one merchant or terminal, in fixed size: its payments over
 * the last day, week and 30 days, the distinct users it served, and per payment day the payments
 * and the confirmed frauds among them, for the delayed fraud rate. Users are kept as keyed hashes.
 */
public final class EntityState {

  /** Labels count only for payments at least this old: labels arrive late, and training must not see the future. */
  public static final Duration LABEL_DELAY = Duration.ofDays(7);
  /** The fraud rate covers payments from this long ago up to {@link #LABEL_DELAY} ago. */
  public static final Duration FRAUD_WINDOW = Duration.ofDays(30);
  static final int RECENT_USERS = 64;
  static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
  private static final int LABEL_DAYS = (int) FRAUD_WINDOW.toDays() + 2;
  private static final byte FORMAT_VERSION = 1;

  final SlidingWindowCounter lastDay = new SlidingWindowCounter(DAY_MILLIS, 24);
  final SlidingWindowCounter lastWeek = new SlidingWindowCounter(Duration.ofDays(7).toMillis(), 14);
  final SlidingWindowCounter lastMonth = new SlidingWindowCounter(Duration.ofDays(30).toMillis(), 30);
  final RecentSet users = new RecentSet(RECENT_USERS);
  /** Ring of payment days: which day each slot holds, and its payments and confirmed frauds. */
  final long[] labelDay = new long[LABEL_DAYS];
  final int[] dayPayments = new int[LABEL_DAYS];
  final int[] dayFrauds = new int[LABEL_DAYS];

  private EntityState() {
    java.util.Arrays.fill(labelDay, Long.MIN_VALUE);
  }

  /** The state of a merchant never seen before. */
  public static EntityState empty() {
    return new EntityState();
  }

  /** The slot of a payment day, reset if it held an older day; -1 if the day is too old to keep. */
  int daySlot(long day) {
    int slot = (int) Math.floorMod(day, (long) LABEL_DAYS);
    if (labelDay[slot] == day) {
      return slot;
    }
    if (labelDay[slot] > day) {
      return -1;
    }
    labelDay[slot] = day;
    dayPayments[slot] = 0;
    dayFrauds[slot] = 0;
    return slot;
  }

  /** Serde for the state store and its changelog, in the form of {@link #toBytes()}. */
  public static Serde<EntityState> serde() {
    return Serdes.serdeFrom((topic, state) -> state == null ? null : state.toBytes(),
        (topic, bytes) -> bytes == null ? null : fromBytes(bytes));
  }

  public byte[] toBytes() {
    int size = 1 + lastDay.serializedSize() + lastWeek.serializedSize() + lastMonth.serializedSize()
        + users.serializedSize() + LABEL_DAYS * (Long.BYTES + 2 * Integer.BYTES);
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT_VERSION);
    lastDay.write(out);
    lastWeek.write(out);
    lastMonth.write(out);
    users.write(out);
    for (int i = 0; i < LABEL_DAYS; i++) {
      out.putLong(labelDay[i]);
      out.putInt(dayPayments[i]);
      out.putInt(dayFrauds[i]);
    }
    return out.array();
  }

  public static EntityState fromBytes(byte[] data) {
    EntityState state = new EntityState();
    ByteBuffer in = ByteBuffer.wrap(data);
    try {
      byte version = in.get();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException("unsupported entity state format " + version + ", expected " + FORMAT_VERSION);
      }
      state.lastDay.read(in);
      state.lastWeek.read(in);
      state.lastMonth.read(in);
      state.users.read(in);
      for (int i = 0; i < LABEL_DAYS; i++) {
        state.labelDay[i] = in.getLong();
        state.dayPayments[i] = in.getInt();
        state.dayFrauds[i] = in.getInt();
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("corrupt entity state: " + data.length + " bytes is too short", e);
    }
    return state;
  }
}
