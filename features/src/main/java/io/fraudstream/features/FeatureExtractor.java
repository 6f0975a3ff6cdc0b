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
  private static final double MEAN_FLOOR = 1.0;
  private static final long MILLIS_PER_HOUR = Duration.ofHours(1).toMillis();

  private final IdentifierHasher hasher;

  public FeatureExtractor(IdentifierHasher hasher) {
    this.hasher = hasher;
  }

  /**
   * Computes the features of {@code tx} against the user's history in {@code state}, then adds
   * {@code tx} to that history.
   */
  public FeatureVector extract(UserState state, Transaction tx) {
    long now = tx.timestamp().toEpochMilli();
    double amount = tx.amount();
    double[] v = new double[Feature.count()];

    boolean first = state.payments == 0;
    // Compare against habits as they were before this payment, so it cannot mask its own anomaly.
    double usual = state.amounts.mean();
    double spread = state.amounts.std();
    v[Feature.AMOUNT.ordinal()] = amount;
    v[Feature.AMOUNT_MEAN.ordinal()] = usual;
    v[Feature.AMOUNT_STD.ordinal()] = spread;
    v[Feature.AMOUNT_ZSCORE.ordinal()] = first ? 0 : (amount - usual) / Math.max(spread, STD_FLOOR);
    v[Feature.AMOUNT_TO_MEAN_RATIO.ordinal()] = first ? 1 : amount / Math.max(usual, MEAN_FLOOR);
    v[Feature.FIRST_PAYMENT.ordinal()] = first ? 1 : 0;
    v[Feature.SECONDS_SINCE_PREVIOUS.ordinal()] = first
        ? SECONDS_SINCE_PREVIOUS_CAP
        : Math.min(SECONDS_SINCE_PREVIOUS_CAP, Math.max(0, now - state.lastPaymentMillis) / 1000.0);
    v[Feature.HOUR_OF_DAY.ordinal()] = Math.floorMod(Math.floorDiv(now, MILLIS_PER_HOUR), 24L);

    v[Feature.MERCHANT_MISSING.ordinal()] = tx.merchant() == null ? 1 : 0;
    v[Feature.NEW_MERCHANT.ordinal()] = tx.merchant() != null && state.merchants.touch(hasher.hash(tx.merchant())) ? 1 : 0;
    v[Feature.DEVICE_MISSING.ordinal()] = tx.device() == null ? 1 : 0;
    v[Feature.NEW_DEVICE.ordinal()] = tx.device() != null && state.devices.touch(hasher.hash(tx.device())) ? 1 : 0;

    state.lastHour.add(now, amount);
    state.lastDay.add(now, amount);
    state.amounts.add(now, amount);
    state.payments = state.payments == Long.MAX_VALUE ? Long.MAX_VALUE : state.payments + 1;
    state.lastPaymentMillis = first ? now : Math.max(state.lastPaymentMillis, now);

    v[Feature.TX_COUNT_1H.ordinal()] = state.lastHour.count();
    v[Feature.AMOUNT_SUM_1H.ordinal()] = state.lastHour.sum();
    v[Feature.TX_COUNT_24H.ordinal()] = state.lastDay.count();
    v[Feature.AMOUNT_SUM_24H.ordinal()] = state.lastDay.sum();
    return new FeatureVector(v);
  }
}
