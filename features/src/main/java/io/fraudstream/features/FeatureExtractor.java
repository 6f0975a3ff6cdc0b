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
    novelty(v, state.devices, tx.device(), now, Feature.NEW_DEVICE, Feature.DEVICE_MISSING);
    set(v, Feature.DISTINCT_DEVICES_24H, state.devices.seenSince(dayAgo));
    novelty(v, state.ips, tx.ip(), now, Feature.NEW_IP, Feature.IP_MISSING);
    novelty(v, state.countries, tx.country(), now, Feature.NEW_COUNTRY, Feature.COUNTRY_MISSING);
    novelty(v, state.counterparties, tx.counterparty(), now, Feature.NEW_COUNTERPARTY, Feature.COUNTERPARTY_MISSING);
    set(v, Feature.DISTINCT_COUNTERPARTIES_24H, state.counterparties.seenSince(dayAgo));

    geography(v, state, tx, now);

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

  private void novelty(double[] v, RecentSet recent, String identifier, long now, Feature isNew, Feature missing) {
    if (identifier == null) {
      set(v, missing, 1);
      return;
    }
    set(v, isNew, recent.touch(hasher.hash(identifier), now) ? 1 : 0);
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
