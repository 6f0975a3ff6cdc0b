package io.fraudstream.features;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Everything fraudstream remembers about one user, in fixed-size structures so that its size does
 * not grow with the user's history: bucketed windows, decayed amount statistics and time-of-day
 * habits, capped sets of keyed hashes of recent merchants, devices, IPs, countries and payees, and
 * the previous location. No raw identifier is kept.
 */
public final class UserState {

  static final long MINUTE_MILLIS = Duration.ofMinutes(1).toMillis();
  static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();
  static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
  static final long WEEK_MILLIS = Duration.ofDays(7).toMillis();
  static final long HABIT_HALF_LIFE_MILLIS = Duration.ofDays(30).toMillis();
  /** A user idle for this long, in event time, is forgotten: their state is dropped. */
  public static final Duration RETENTION = Duration.ofDays(90);
  static final int RECENT_MERCHANTS = 32;
  static final int RECENT_DEVICES = 8;
  static final int RECENT_IPS = 8;
  static final int RECENT_COUNTRIES = 8;
  static final int RECENT_COUNTERPARTIES = 32;
  private static final byte FORMAT_VERSION = 4;

  /** Payments seen; saturates rather than overflowing. */
  long payments;
  /** Event time of the newest payment seen, epoch millis. */
  long lastPaymentMillis;
  final SlidingWindowCounter lastMinute = new SlidingWindowCounter(MINUTE_MILLIS, 6);
  final SlidingWindowCounter lastHour = new SlidingWindowCounter(HOUR_MILLIS, 12);
  final SlidingWindowCounter lastDay = new SlidingWindowCounter(DAY_MILLIS, 24);
  final SlidingWindowCounter lastWeek = new SlidingWindowCounter(WEEK_MILLIS, 14);
  /** Amounts paid to payees that were new when paid, over the last day. */
  final SlidingWindowCounter toNewPayeesLastDay = new SlidingWindowCounter(DAY_MILLIS, 24);
  final DecayedStats amounts = new DecayedStats(HABIT_HALF_LIFE_MILLIS);
  final DecayedHistogram hours = new DecayedHistogram(24, HABIT_HALF_LIFE_MILLIS);
  final DecayedHistogram weekdays = new DecayedHistogram(7, HABIT_HALF_LIFE_MILLIS);
  final RecentSet merchants = new RecentSet(RECENT_MERCHANTS);
  final RecentSet devices = new RecentSet(RECENT_DEVICES);
  final RecentSet ips = new RecentSet(RECENT_IPS);
  final RecentSet countries = new RecentSet(RECENT_COUNTRIES);
  final RecentSet counterparties = new RecentSet(RECENT_COUNTERPARTIES);
  /** Where and when the previous located payment was; NaN latitude while there is none. */
  double lastLat = Double.NaN;
  double lastLon = Double.NaN;
  long lastLocatedMillis;

  /** Whether a user last seen in this state is forgotten by {@code eventTimeMillis}. */
  public boolean expiredAt(long eventTimeMillis) {
    return payments > 0 && eventTimeMillis - lastPaymentMillis > RETENTION.toMillis();
  }

  /** Forgets everything: the state of a user never seen before. */
  void clear() {
    payments = 0;
    lastPaymentMillis = 0;
    lastMinute.clear();
    lastHour.clear();
    lastDay.clear();
    lastWeek.clear();
    toNewPayeesLastDay.clear();
    amounts.clear();
    hours.clear();
    weekdays.clear();
    merchants.clear();
    devices.clear();
    ips.clear();
    countries.clear();
    counterparties.clear();
    lastLat = Double.NaN;
    lastLon = Double.NaN;
    lastLocatedMillis = 0;
  }

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
    int size = 1 + 2 * Long.BYTES
        + lastMinute.serializedSize() + lastHour.serializedSize() + lastDay.serializedSize() + lastWeek.serializedSize()
        + toNewPayeesLastDay.serializedSize() + DecayedStats.SERIALIZED_SIZE + hours.serializedSize() + weekdays.serializedSize()
        + merchants.serializedSize() + devices.serializedSize() + ips.serializedSize() + countries.serializedSize()
        + counterparties.serializedSize() + 2 * Double.BYTES + Long.BYTES;
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT_VERSION);
    out.putLong(payments);
    out.putLong(lastPaymentMillis);
    lastMinute.write(out);
    lastHour.write(out);
    lastDay.write(out);
    lastWeek.write(out);
    toNewPayeesLastDay.write(out);
    amounts.write(out);
    hours.write(out);
    weekdays.write(out);
    merchants.write(out);
    devices.write(out);
    ips.write(out);
    countries.write(out);
    counterparties.write(out);
    out.putDouble(lastLat);
    out.putDouble(lastLon);
    out.putLong(lastLocatedMillis);
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
      state.lastMinute.read(in);
      state.lastHour.read(in);
      state.lastDay.read(in);
      state.lastWeek.read(in);
      state.toNewPayeesLastDay.read(in);
      state.amounts.read(in);
      state.hours.read(in);
      state.weekdays.read(in);
      state.merchants.read(in);
      state.devices.read(in);
      state.ips.read(in);
      state.countries.read(in);
      state.counterparties.read(in);
      state.lastLat = in.getDouble();
      state.lastLon = in.getDouble();
      state.lastLocatedMillis = in.getLong();
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("corrupt user state: " + data.length + " bytes is too short", e);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("corrupt user state: " + in.remaining() + " unexpected trailing bytes");
    }
    return state;
  }
}
