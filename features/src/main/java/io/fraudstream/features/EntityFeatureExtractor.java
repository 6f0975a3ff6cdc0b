package io.fraudstream.features;

import java.time.Duration;

/**
 * Entity risk: how busy a merchant, terminal or device is, how many users it serves, and how
 * much of its labelled past was fraud. Shared by the live topology (state in a store per
 * {@link EntityKind}) and the offline replay, like {@link FeatureExtractor}. Not thread-safe.
 */
public final class EntityFeatureExtractor {

  private final IdentifierHasher hasher;
  private final long labelDelayDays;

  /** @param labelDelay see {@link EntityState#checkLabelDelay}; the bundle records the value a model was trained with */
  public EntityFeatureExtractor(IdentifierHasher hasher, Duration labelDelay) {
    this.hasher = hasher;
    this.labelDelayDays = EntityState.checkLabelDelay(labelDelay).toDays();
  }

  /**
   * Returns {@code features} completed with the {@code kind} entity features of {@code tx}, then
   * adds {@code tx} to the entity's state. Without such an entity ({@code state} null) they are 0,
   * and a "missing" feature says so. State idle for longer than {@link EntityState#RETENTION} is
   * forgotten first.
   */
  public FeatureVector extract(EntityKind kind, EntityState state, Transaction tx, FeatureVector features) {
    double[] v = features.toArray();
    extractInto(kind, state, tx, v);
    return new FeatureVector(v);
  }

  /** As {@link #extract}, completing the feature values {@code v} in place. */
  public void extractInto(EntityKind kind, EntityState state, Transaction tx, double[] v) {
    if (state == null || kind.of(tx) == null) {
      return;
    }
    long now = tx.timestamp().toEpochMilli();
    record(state, now, tx.amount(), hasher.hash(tx.user()));
    readInto(kind, state, now, v);
  }

  /**
   * Adds a payment to an entity's state: the one step the entity sub-topology and the payment
   * path both take, so that the two agree. State idle for longer than {@link EntityState#RETENTION}
   * is forgotten first.
   */
  public static void record(EntityState state, long now, double amount, long userHash) {
    if (state.expiredAt(now)) {
      state.clear();
    }
    int slot = state.daySlot(Math.floorDiv(now, EntityState.DAY_MILLIS));
    if (slot >= 0) {
      state.dayPayments[slot]++;
    }
    state.lastDay.add(now, amount);
    state.lastWeek.add(now, amount);
    state.lastMonth.add(now, amount);
    state.users.touch(userHash, now);
  }

  /** Writes the {@code kind} features of a state that has just recorded a payment at {@code now}. */
  private void readInto(EntityKind kind, EntityState state, long now, double[] v) {
    long today = Math.floorDiv(now, EntityState.DAY_MILLIS);
    v[kind.txCount1d.ordinal()] = state.lastDay.count();
    v[kind.txCount7d.ordinal()] = state.lastWeek.count();
    v[kind.txCount30d.ordinal()] = state.lastMonth.count();
    state.users.seenSince(now - EntityState.DAY_MILLIS, now - 7 * EntityState.DAY_MILLIS, now - 30 * EntityState.DAY_MILLIS,
        v, kind.users1d, kind.users7d, kind.users30d);

    // Whole days: a payment day counts once it ended at least the label delay ago. Three windows
    // end there: the last such day, the last 7 and everything back to 30 days ago.
    long newest = today - labelDelayDays;
    long oldest = today - EntityState.FRAUD_WINDOW.toDays();
    long payments = 0;
    long frauds = 0;
    long payments1d = 0;
    long frauds1d = 0;
    long payments7d = 0;
    long frauds7d = 0;
    for (int i = 0; i < state.labelDay.length; i++) {
      long day = state.labelDay[i];
      if (day >= oldest && day < newest) {
        payments += state.dayPayments[i];
        frauds += state.dayFrauds[i];
        if (day >= newest - 7) {
          payments7d += state.dayPayments[i];
          frauds7d += state.dayFrauds[i];
          if (day == newest - 1) {
            payments1d += state.dayPayments[i];
            frauds1d += state.dayFrauds[i];
          }
        }
      }
    }
    v[kind.frauds30d.ordinal()] = frauds;
    v[kind.fraudRate30d.ordinal()] = payments == 0 ? 0 : (double) frauds / payments;
    v[kind.fraudRate1d.ordinal()] = payments1d == 0 ? 0 : (double) frauds1d / payments1d;
    v[kind.fraudRate7d.ordinal()] = payments7d == 0 ? 0 : (double) frauds7d / payments7d;
    v[kind.fraudStreakDays.ordinal()] = fraudStreakDays(state, newest - 1, oldest);
  }

  /**
   * How many days back from {@code lastKnown} the entity's frauds ran without a clean day (one
   * with payments and no fraud): a terminal or device taken over keeps producing fraud until it
   * is found, so a long unbroken run says it is probably still taken over, and its length says
   * for how long. Days without payments neither break nor count as fraud days.
   */
  private static int fraudStreakDays(EntityState state, long lastKnown, long oldest) {
    long earliestFraudDay = Long.MAX_VALUE;
    for (long day = lastKnown; day >= oldest; day--) {
      int slot = state.heldSlot(day);
      if (slot < 0 || state.dayPayments[slot] == 0) {
        continue;
      }
      if (state.dayFrauds[slot] == 0) {
        break;
      }
      earliestFraudDay = day;
    }
    return earliestFraudDay == Long.MAX_VALUE ? 0 : (int) (lastKnown - earliestFraudDay + 1);
  }

  /** Records a confirmed fraud for a payment the entity took part in at {@code paymentMillis}. */
  public static void confirmFraud(EntityState state, long paymentMillis) {
    int slot = state.daySlot(Math.floorDiv(paymentMillis, EntityState.DAY_MILLIS));
    if (slot >= 0) {
      state.dayFrauds[slot]++;
    }
  }
}
