package io.fraudstream.features;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * What fraudstream remembers about one merchant, terminal or device, in fixed size: its payments over
 * the last day, week and 30 days, the distinct users it served, and per payment day the payments
 * and the confirmed frauds among them, for the delayed fraud rate. Users are kept as keyed hashes.
 * Idle for {@link #RETENTION}, it is forgotten.
 */
public final class EntityState {

  /**
   * Labels count only for payments at least this old, unless configured otherwise: labels arrive
   * late, and training must not see outcomes that serving would not know yet.
   */
  public static final Duration DEFAULT_LABEL_DELAY = Duration.ofDays(7);
  /** The fraud rate covers payments from this long ago up to the label delay ago. */
  public static final Duration FRAUD_WINDOW = Duration.ofDays(30);
  /**
   * An entity with no payment for this long is forgotten: past it, every window is empty and
   * its labelled days have left the fraud window.
   */
  public static final Duration RETENTION = FRAUD_WINDOW.plusDays(2);
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
    Arrays.fill(labelDay, Long.MIN_VALUE);
  }

  /** The state of a merchant never seen before. */
  public static EntityState empty() {
    return new EntityState();
  }

  /**
   * Checks a label delay: whole days, at least 0 and shorter than the fraud window (else no
   * labelled day would ever count).
   */
  public static Duration checkLabelDelay(Duration delay) {
    if (delay.isNegative() || delay.compareTo(FRAUD_WINDOW) >= 0 || !delay.equals(Duration.ofDays(delay.toDays()))) {
      throw new IllegalArgumentException("the label delay must be a whole number of days from 0 to "
          + (FRAUD_WINDOW.toDays() - 1) + ", got " + delay);
    }
    return delay;
  }

  /**
   * Whether the entity has been idle for longer than {@link #RETENTION} at {@code eventTimeMillis}:
   * no payment and no labelled payment day since (measured from the start of those days).
   */
  public boolean expiredAt(long eventTimeMillis) {
    long newest = lastMonth.newestMillis();
    if (newest != Long.MIN_VALUE && eventTimeMillis - newest <= RETENTION.toMillis()) {
      return false;   // the common case, without looking at the labelled days
    }
    for (long day : labelDay) {
      if (day != Long.MIN_VALUE) {
        newest = Math.max(newest, day * DAY_MILLIS);
      }
    }
    return newest == Long.MIN_VALUE || eventTimeMillis - newest > RETENTION.toMillis();
  }

  /** The stored form: every field in the order written; clear, size, write and read all follow it. */
  private static final StoredForm<EntityState> FORM = StoredForm.of(FORMAT_VERSION, "entity state",
      StoredForm.part(s -> s.lastDay),
      StoredForm.part(s -> s.lastWeek),
      StoredForm.part(s -> s.lastMonth),
      StoredForm.part(s -> s.users),
      new LabelDays()).ignoringTrailingBytes();

  /** The ring of labelled days, stored slot by slot: the day, its payments, its frauds. */
  private static final class LabelDays implements StoredForm.Field<EntityState> {
    @Override
    public void clear(EntityState state) {
      Arrays.fill(state.labelDay, Long.MIN_VALUE);
      Arrays.fill(state.dayPayments, 0);
      Arrays.fill(state.dayFrauds, 0);
    }

    @Override
    public int size(EntityState state) {
      return LABEL_DAYS * (Long.BYTES + 2 * Integer.BYTES);
    }

    @Override
    public void write(EntityState state, ByteBuffer out) {
      for (int i = 0; i < LABEL_DAYS; i++) {
        out.putLong(state.labelDay[i]);
        out.putInt(state.dayPayments[i]);
        out.putInt(state.dayFrauds[i]);
      }
    }

    @Override
    public void read(EntityState state, ByteBuffer in) {
      for (int i = 0; i < LABEL_DAYS; i++) {
        state.labelDay[i] = in.getLong();
        state.dayPayments[i] = in.getInt();
        state.dayFrauds[i] = in.getInt();
      }
    }
  }

  /** Whether the entity remembers the user of this keyed hash among its recent users. */
  public boolean remembers(long userHash) {
    return users.contains(userHash);
  }

  /** Forgets the erased users' keyed hashes {@code erased} accepts; returns whether any was remembered. */
  public boolean forgetUsers(LongPredicate erased) {
    return users.removeIf(erased);
  }

  /** Forgets everything, as if the entity had never been seen. */
  void clear() {
    FORM.clear(this);
  }

  /** The slot that holds a payment day, or -1 if none does; changes nothing. */
  int heldSlot(long day) {
    int slot = (int) Math.floorMod(day, (long) LABEL_DAYS);
    return labelDay[slot] == day ? slot : -1;
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

  public byte[] toBytes() {
    return FORM.write(this);
  }

  /** The stored form's versions, for the reference pages. */
  public static StoredFormat storedFormat() {
    return FORM.format();
  }

  /**
   * Whether {@code data} has the version and a size of {@link #toBytes}: a check in constant time,
   * for where a full read of every state would cost more than the reading it guards.
   */
  public static boolean hasStoredForm(byte[] data) {
    int users = data == null ? -1 : data.length - EmptySize.BYTES;
    return users >= 0 && data[0] == FORMAT_VERSION && users % (2 * Long.BYTES) == 0 && users / (2 * Long.BYTES) <= RECENT_USERS;
  }

  /** The stored size of a state without users, computed once, after the fields it depends on. */
  private static final class EmptySize {
    static final int BYTES = new EntityState().toBytes().length;
  }

  public static EntityState fromBytes(byte[] data) {
    return FORM.read(data, new EntityState());
  }
}
