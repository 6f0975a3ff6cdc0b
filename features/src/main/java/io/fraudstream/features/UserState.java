package io.fraudstream.features;

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
  static final int RECENT_PAYMENTS = 8;
  static final int VERIFIED_DEVICES = 8;
  static final int VERIFIED_PAYEES = 8;
  private static final byte FORMAT_VERSION = 5;
  /** Format 4 had the fields up to the previous location; format 5 added the step-up verification ones. */
  private static final byte FORMAT_WITHOUT_CHALLENGES = 4;
  private static final int FIELDS_WITHOUT_CHALLENGES = 18;

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
  /** The last payments, so that a challenge result, which names only its payment, finds its device and payee. */
  final RecentPayments recentPayments = new RecentPayments(RECENT_PAYMENTS);
  /** Devices and payees of payments on which the user passed a challenge, most recently verified first. */
  final RecentSet verifiedDevices = new RecentSet(VERIFIED_DEVICES);
  final RecentSet verifiedPayees = new RecentSet(VERIFIED_PAYEES);
  /** Challenge results of the last day (6 buckets of 4 h), counted at the result's time. */
  final SlidingWindowCounter failedChallenges = new SlidingWindowCounter(DAY_MILLIS, 6);
  final SlidingWindowCounter abandonedChallenges = new SlidingWindowCounter(DAY_MILLIS, 6);
  /** When the user last passed a challenge, epoch millis; Long.MIN_VALUE while never. */
  long lastPassedChallengeMillis = Long.MIN_VALUE;

  /** Whether a user last seen in this state is forgotten by {@code eventTimeMillis}. */
  public boolean expiredAt(long eventTimeMillis) {
    return payments > 0 && eventTimeMillis - lastPaymentMillis > RETENTION.toMillis();
  }

  /**
   * The stored form: every field of the state, in the order it is written. Clear, size, write and
   * read all follow this one list.
   */
  private static final StoredForm<UserState> FORM = StoredForm.<UserState>of(FORMAT_VERSION, "user state",
      StoredForm.longField(s -> s.payments, (s, v) -> s.payments = v, 0),
      StoredForm.longField(s -> s.lastPaymentMillis, (s, v) -> s.lastPaymentMillis = v, 0),
      StoredForm.part(s -> s.lastMinute),
      StoredForm.part(s -> s.lastHour),
      StoredForm.part(s -> s.lastDay),
      StoredForm.part(s -> s.lastWeek),
      StoredForm.part(s -> s.toNewPayeesLastDay),
      StoredForm.part(s -> s.amounts),
      StoredForm.part(s -> s.hours),
      StoredForm.part(s -> s.weekdays),
      StoredForm.part(s -> s.merchants),
      StoredForm.part(s -> s.devices),
      StoredForm.part(s -> s.ips),
      StoredForm.part(s -> s.countries),
      StoredForm.part(s -> s.counterparties),
      StoredForm.doubleField(s -> s.lastLat, (s, v) -> s.lastLat = v, Double.NaN),
      StoredForm.doubleField(s -> s.lastLon, (s, v) -> s.lastLon = v, Double.NaN),
      StoredForm.longField(s -> s.lastLocatedMillis, (s, v) -> s.lastLocatedMillis = v, 0),
      StoredForm.part(s -> s.recentPayments),
      StoredForm.part(s -> s.verifiedDevices),
      StoredForm.part(s -> s.verifiedPayees),
      StoredForm.part(s -> s.failedChallenges),
      StoredForm.part(s -> s.abandonedChallenges),
      StoredForm.longField(s -> s.lastPassedChallengeMillis, (s, v) -> s.lastPassedChallengeMillis = v, Long.MIN_VALUE))
      .readingEarlier(FORMAT_WITHOUT_CHALLENGES, FIELDS_WITHOUT_CHALLENGES);

  /** Forgets everything: the state of a user never seen before. */
  void clear() {
    FORM.clear(this);
  }

  /** The state of a user never seen before. */
  public static UserState empty() {
    return new UserState();
  }

  /** Payments seen for this user since the state was created (or last erased). */
  public long payments() {
    return payments;
  }

  /** The stored form's versions, for the reference pages. */
  public static StoredFormat storedFormat() {
    return FORM.format();
  }

  /** Serialized form, as kept in the state store and its changelog. */
  public byte[] toBytes() {
    return FORM.write(this);
  }

  /** Reads the form written by {@link #toBytes()}. */
  public static UserState fromBytes(byte[] data) {
    return FORM.read(data, new UserState());
  }
}
