package io.fraudstream.features;

import java.time.Duration;

/**
 * The one implementation of fraudstream's features, shared by the live topology and the offline
 * replay so that a model is served exactly the features it was trained on.
 *
 * <p>Plain Java and deterministic: the output depends only on the user's state and the payment,
 * in event time, never on the wall clock. {@link #extract} advances the state in place to include
 * the payment (copying it on every payment would cost more than the features themselves).
 * Not thread-safe: one instance per stream task or replay.
 */
public final class FeatureExtractor {

  static final double SECONDS_SINCE_PREVIOUS_CAP = Duration.ofDays(30).toSeconds();
  static final double DAYS_SINCE_PASSED_CHALLENGE_CAP = UserState.RETENTION.toDays();
  private static final double STD_FLOOR = 1.0;
  private static final double AMOUNT_FLOOR = 1.0;
  private static final long MILLIS_PER_HOUR = Duration.ofHours(1).toMillis();
  private static final long MILLIS_PER_DAY = Duration.ofDays(1).toMillis();
  private static final double EARTH_RADIUS_KM = 6371.0088;
  /** Speeds are computed over at least a minute, so two nearby payments seconds apart are not jets. */
  private static final double MIN_TRAVEL_HOURS = 1.0 / 60;

  private final IdentifierHasher hasher;

  public FeatureExtractor(IdentifierHasher hasher) {
    this.hasher = hasher;
  }

  /**
   * Computes the features of {@code tx} against the user's history in {@code state}, then adds
   * {@code tx} to that history. History idle for longer than {@link UserState#RETENTION} is
   * forgotten first.
   */
  public FeatureVector extract(UserState state, Transaction tx) {
    double[] v = new double[Feature.count()];
    extractInto(state, tx, v);
    return new FeatureVector(v);
  }

  /**
   * As {@link #extract}, writing the user features into {@code v}, which must hold
   * {@link Feature#count()} zeros; the entity features are left at zero. For callers that reuse
   * or own the array, such as the offline replay.
   */
  public void extractInto(UserState state, Transaction tx, double[] v) {
    long now = tx.timestamp().toEpochMilli();
    if (state.expiredAt(now)) {
      // Here, not in the store, so that the live topology and the offline replay forget alike.
      state.clear();
    }
    double amount = tx.amount();
    boolean first = state.payments == 0;

    // Habits as they were before this payment, so it cannot mask its own anomaly.
    double usual = state.amounts.mean();
    double spread = state.amounts.std();
    double largest = state.amounts.max();
    set(v, Feature.AMOUNT, amount);
    set(v, Feature.AMOUNT_MEAN, usual);
    set(v, Feature.AMOUNT_STD, spread);
    set(v, Feature.AMOUNT_MAX, largest);
    set(v, Feature.AMOUNT_ZSCORE, first ? 0 : (amount - usual) / Math.max(spread, STD_FLOOR));
    set(v, Feature.AMOUNT_TO_MEAN_RATIO, first ? 1 : amount / Math.max(usual, AMOUNT_FLOOR));
    set(v, Feature.AMOUNT_TO_MAX_RATIO, first ? 1 : amount / Math.max(largest, AMOUNT_FLOOR));
    set(v, Feature.FIRST_PAYMENT, first ? 1 : 0);
    set(v, Feature.SECONDS_SINCE_PREVIOUS, first
        ? SECONDS_SINCE_PREVIOUS_CAP
        : Math.min(SECONDS_SINCE_PREVIOUS_CAP, Math.max(0, now - state.lastPaymentMillis) / 1000.0));

    int hour = (int) Math.floorMod(Math.floorDiv(now, MILLIS_PER_HOUR), 24L);
    // 1970-01-01 was a Thursday: day 0 is weekday index 3 (Monday = 0).
    int weekday = (int) Math.floorMod(Math.floorDiv(now, MILLIS_PER_DAY) + 3, 7L);
    set(v, Feature.HOUR_OF_DAY, hour);
    set(v, Feature.HOUR_SHARE, state.hours.share(hour));
    set(v, Feature.DAY_OF_WEEK, weekday + 1);
    set(v, Feature.DAY_OF_WEEK_SHARE, state.weekdays.share(weekday));
    set(v, Feature.NIGHT, hour < 6 ? 1 : 0);
    set(v, Feature.WEEKEND, weekday >= 5 ? 1 : 0);
    state.hours.add(now, hour);
    state.weekdays.add(now, weekday);

    long dayAgo = now - MILLIS_PER_DAY;
    novelty(v, state.merchants, tx.merchant(), now, Feature.NEW_MERCHANT, Feature.MERCHANT_MISSING);
    set(v, Feature.DISTINCT_MERCHANTS_24H, state.merchants.seenSince(dayAgo));
    long device = novelty(v, state.devices, tx.device(), now, Feature.NEW_DEVICE, Feature.DEVICE_MISSING);
    set(v, Feature.DISTINCT_DEVICES_24H, state.devices.seenSince(dayAgo));
    novelty(v, state.ips, tx.ip(), now, Feature.NEW_IP, Feature.IP_MISSING);
    novelty(v, state.countries, tx.country(), now, Feature.NEW_COUNTRY, Feature.COUNTRY_MISSING);
    long payee = novelty(v, state.counterparties, tx.counterparty(), now, Feature.NEW_COUNTERPARTY, Feature.COUNTERPARTY_MISSING);
    set(v, Feature.DISTINCT_COUNTERPARTIES_24H, state.counterparties.seenSince(dayAgo));

    geography(v, state, tx, now);
    verification(v, state, tx, now, device, payee);

    state.lastMinute.add(now, amount);
    state.lastHour.add(now, amount);
    state.lastDay.add(now, amount);
    state.lastWeek.add(now, amount);
    state.toNewPayeesLastDay.add(now, v[Feature.NEW_COUNTERPARTY.ordinal()] == 1 ? amount : 0);
    state.amounts.add(now, amount);
    state.payments = state.payments == Long.MAX_VALUE ? Long.MAX_VALUE : state.payments + 1;
    state.lastPaymentMillis = first ? now : Math.max(state.lastPaymentMillis, now);

    set(v, Feature.TX_COUNT_1M, state.lastMinute.count());
    set(v, Feature.AMOUNT_SUM_1M, state.lastMinute.sum());
    set(v, Feature.TX_COUNT_1H, state.lastHour.count());
    set(v, Feature.AMOUNT_SUM_1H, state.lastHour.sum());
    set(v, Feature.TX_COUNT_24H, state.lastDay.count());
    set(v, Feature.AMOUNT_SUM_24H, state.lastDay.sum());
    set(v, Feature.TX_COUNT_7D, state.lastWeek.count());
    set(v, Feature.AMOUNT_SUM_7D, state.lastWeek.sum());
    double daySum = state.lastDay.sum();
    set(v, Feature.NEW_COUNTERPARTY_AMOUNT_SHARE_24H, daySum > 0 ? Math.min(1, state.toNewPayeesLastDay.sum() / daySum) : 0);
  }

  /**
   * What the user's challenges taught, as it stood before this payment; then the payment is
   * remembered for its own result, with the device's and payee's hashes novelty already computed.
   */
  private static void verification(double[] v, UserState state, Transaction tx, long now, long device, long payee) {
    set(v, Feature.DEVICE_VERIFIED, tx.device() != null && state.verifiedDevices.contains(device) ? 1 : 0);
    set(v, Feature.PAYEE_VERIFIED, tx.counterparty() != null && state.verifiedPayees.contains(payee) ? 1 : 0);
    set(v, Feature.DAYS_SINCE_LAST_PASSED_CHALLENGE, state.lastPassedChallengeMillis == Long.MIN_VALUE
        ? DAYS_SINCE_PASSED_CHALLENGE_CAP
        : Math.min(DAYS_SINCE_PASSED_CHALLENGE_CAP, Math.max(0, now - state.lastPassedChallengeMillis) / (double) MILLIS_PER_DAY));
    set(v, Feature.FAILED_CHALLENGES_24H, state.failedChallenges.countAt(now));
    set(v, Feature.ABANDONED_CHALLENGES_24H, state.abandonedChallenges.countAt(now));
    byte flags = 0;
    if (tx.device() != null) {
      flags |= RecentPayments.HAS_DEVICE;
      flags |= v[Feature.NEW_DEVICE.ordinal()] == 1 ? RecentPayments.DEVICE_WAS_NEW : 0;
    }
    if (tx.counterparty() != null) {
      flags |= RecentPayments.HAS_PAYEE;
      flags |= v[Feature.NEW_COUNTERPARTY.ordinal()] == 1 ? RecentPayments.PAYEE_WAS_NEW : 0;
    }
    state.recentPayments.add(RecentPayments.idHash(tx.id()), device, payee, flags);
  }

  /**
   * Whether the user's history already holds {@code tx}, or has moved past its time: a payment
   * older than the user's last one, or at that very millisecond and among their last
   * {@value UserState#RECENT_PAYMENTS}. A backfill applies only payments for which this is false,
   * so that state moves forward only and a payment sent twice, or sent by the backfill after the
   * live feed had it, counts once.
   */
  public static boolean alreadyHolds(UserState state, Transaction tx) {
    if (state.payments == 0) {
      return false;
    }
    long time = tx.timestamp().toEpochMilli();
    return time < state.lastPaymentMillis
        || time == state.lastPaymentMillis && state.recentPayments.find(RecentPayments.idHash(tx.id())) >= 0;
  }

  /** What applying a challenge result to a user's state did. */
  public enum Learned {
    /** The result's payment was found among the user's recent ones and its lesson applied. */
    APPLIED,
    /** The payment is not among the user's last {@value UserState#RECENT_PAYMENTS}: nothing is learned. */
    UNKNOWN_PAYMENT,
    /** The payment already had a result; a repeated or second answer teaches nothing more. */
    ALREADY_ANSWERED
  }

  /**
   * Applies how the challenge of one of the user's recent payments ended, at {@code timeMillis}.
   * Passed: the payment's device and payee become verified. Failed or abandoned: it is counted,
   * the device and payee lose any verification, and if they were new at that payment they are
   * forgotten again, so the next payment from them is still "new" rather than familiar.
   * Deterministic and in the user's state alone, like {@link #extract}: the live topology and
   * the offline replay call it alike.
   */
  public static Learned learnFromChallenge(UserState state, String paymentId, ChallengeResult.Outcome outcome, long timeMillis) {
    RecentPayments recent = state.recentPayments;
    int at = recent.find(RecentPayments.idHash(paymentId));
    if (at < 0) {
      return Learned.UNKNOWN_PAYMENT;
    }
    if (recent.has(at, RecentPayments.ANSWERED)) {
      return Learned.ALREADY_ANSWERED;
    }
    recent.markAnswered(at);
    boolean hasDevice = recent.has(at, RecentPayments.HAS_DEVICE);
    boolean hasPayee = recent.has(at, RecentPayments.HAS_PAYEE);
    if (outcome == ChallengeResult.Outcome.PASSED) {
      if (hasDevice) {
        state.verifiedDevices.touch(recent.device(at), timeMillis);
      }
      if (hasPayee) {
        state.verifiedPayees.touch(recent.payee(at), timeMillis);
      }
      state.lastPassedChallengeMillis = Math.max(state.lastPassedChallengeMillis, timeMillis);
      return Learned.APPLIED;
    }
    (outcome == ChallengeResult.Outcome.FAILED ? state.failedChallenges : state.abandonedChallenges).add(timeMillis, 1);
    if (hasDevice) {
      state.verifiedDevices.remove(recent.device(at));
      if (recent.has(at, RecentPayments.DEVICE_WAS_NEW)) {
        state.devices.remove(recent.device(at));
      }
    }
    if (hasPayee) {
      state.verifiedPayees.remove(recent.payee(at));
      if (recent.has(at, RecentPayments.PAYEE_WAS_NEW)) {
        state.counterparties.remove(recent.payee(at));
      }
    }
    return Learned.APPLIED;
  }

  /** Sets whether the identifier is new (or missing) to the user, and returns its keyed hash (0 when missing). */
  private long novelty(double[] v, RecentSet recent, String identifier, long now, Feature isNew, Feature missing) {
    if (identifier == null) {
      set(v, missing, 1);
      return 0;
    }
    long hash = hasher.hash(identifier);
    set(v, isNew, recent.touch(hash, now) ? 1 : 0);
    return hash;
  }

  private static void geography(double[] v, UserState state, Transaction tx, long now) {
    if (tx.lat() == null) {
      set(v, Feature.LOCATION_MISSING, 1);
      return;
    }
    if (!Double.isNaN(state.lastLat)) {
      double km = haversineKm(state.lastLat, state.lastLon, tx.lat(), tx.lon());
      double hours = Math.max(MIN_TRAVEL_HOURS, Math.abs(now - state.lastLocatedMillis) / 3_600_000.0);
      set(v, Feature.DISTANCE_KM, km);
      set(v, Feature.SPEED_KMH, km / hours);
    }
    if (Double.isNaN(state.lastLat) || now >= state.lastLocatedMillis) {
      state.lastLat = tx.lat();
      state.lastLon = tx.lon();
      state.lastLocatedMillis = now;
    }
  }

  static double haversineKm(double lat1, double lon1, double lat2, double lon2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
        + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  private static void set(double[] v, Feature feature, double value) {
    v[feature.ordinal()] = value;
  }
}
