package io.fraudstream.features;

/**
 * Entity risk: how busy a merchant or terminal is, how many users it serves, and how much of its
 * labelled past was fraud. Shared by the live topology (state in a store keyed by merchant) and
 * the offline replay, like {@link FeatureExtractor}. Not thread-safe.
 */
public final class EntityFeatureExtractor {

  private final IdentifierHasher hasher;

  public EntityFeatureExtractor(IdentifierHasher hasher) {
    this.hasher = hasher;
  }

  /**
   * Returns {@code userFeatures} completed with the entity features of {@code tx}'s merchant,
   * then adds {@code tx} to the merchant's state. Without a merchant the entity features are 0
   * ({@code merchant_missing} says so).
   */
  public FeatureVector extract(EntityState state, Transaction tx, FeatureVector userFeatures) {
    double[] v = userFeatures.toArray();
    if (state == null || tx.merchant() == null) {
      return new FeatureVector(v);
    }
    long now = tx.timestamp().toEpochMilli();
    long today = Math.floorDiv(now, EntityState.DAY_MILLIS);
    int slot = state.daySlot(today);
    if (slot >= 0) {
      state.dayPayments[slot]++;
    }
    state.lastDay.add(now, tx.amount());
    state.lastWeek.add(now, tx.amount());
    state.lastMonth.add(now, tx.amount());
    state.users.touch(hasher.hash(tx.user()), now);

    v[Feature.MERCHANT_TX_COUNT_1D.ordinal()] = state.lastDay.count();
    v[Feature.MERCHANT_TX_COUNT_7D.ordinal()] = state.lastWeek.count();
    v[Feature.MERCHANT_TX_COUNT_30D.ordinal()] = state.lastMonth.count();
    v[Feature.MERCHANT_USERS_1D.ordinal()] = state.users.seenSince(now - EntityState.DAY_MILLIS);
    v[Feature.MERCHANT_USERS_7D.ordinal()] = state.users.seenSince(now - 7 * EntityState.DAY_MILLIS);
    v[Feature.MERCHANT_USERS_30D.ordinal()] = state.users.seenSince(now - 30 * EntityState.DAY_MILLIS);

    long newest = today - EntityState.LABEL_DELAY.toDays();
    long oldest = today - EntityState.FRAUD_WINDOW.toDays();
    long payments = 0;
    long frauds = 0;
    for (int i = 0; i < state.labelDay.length; i++) {
      if (state.labelDay[i] >= oldest && state.labelDay[i] < newest) {
        payments += state.dayPayments[i];
        frauds += state.dayFrauds[i];
      }
    }
    v[Feature.MERCHANT_FRAUDS_30D.ordinal()] = frauds;
    v[Feature.MERCHANT_FRAUD_RATE_30D.ordinal()] = payments == 0 ? 0 : (double) frauds / payments;
    return new FeatureVector(v);
  }

  /** Records a confirmed fraud for a payment the merchant received at {@code paymentMillis}. */
  public static void confirmFraud(EntityState state, long paymentMillis) {
    int slot = state.daySlot(Math.floorDiv(paymentMillis, EntityState.DAY_MILLIS));
    if (slot >= 0) {
      state.dayFrauds[slot]++;
    }
  }
}
