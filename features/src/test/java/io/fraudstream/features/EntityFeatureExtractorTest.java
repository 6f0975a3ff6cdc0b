package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EntityFeatureExtractorTest {

  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final FeatureVector NO_FEATURES = new FeatureVector(new double[Feature.count()]);
  private final IdentifierHasher hasher = new IdentifierHasher("entity-test-secret-16");
  private final EntityFeatureExtractor extractor = new EntityFeatureExtractor(hasher, EntityState.DEFAULT_LABEL_DELAY);
  private final EntityState entity = EntityState.empty();

  /** A payment by {@code user} at the shared merchant from the shared device. */
  private static Transaction payment(String user, Duration after) {
    return Transaction.of(user + after, T0.plus(after), user, 10).toBuilder().merchant("shop").device("shared-phone").build();
  }

  private FeatureVector pay(EntityKind kind, String user, Duration after) {
    return extractor.extract(kind, entity, payment(user, after), NO_FEATURES);
  }

  @ParameterizedTest
  @EnumSource(EntityKind.class)
  void shouldCountPaymentsAndDistinctUsersOverEachWindow(EntityKind kind) {
    pay(kind, "a", Duration.ZERO);
    pay(kind, "b", Duration.ofDays(3));
    pay(kind, "a", Duration.ofDays(10));
    FeatureVector v = pay(kind, "c", Duration.ofDays(10).plusHours(1));
    assertEquals(2, v.get(kind.txCount1d));
    assertEquals(2, v.get(kind.txCount7d));
    assertEquals(4, v.get(kind.txCount30d));
    assertEquals(2, v.get(kind.users1d));
    assertEquals(2, v.get(kind.users7d));
    assertEquals(3, v.get(kind.users30d));
    for (EntityKind other : EntityKind.values()) {
      if (other != kind) {
        assertEquals(0, v.get(other.txCount1d), "one kind's state fills only its own features");
      }
    }
  }

  @Test
  void shouldNameTheFeaturesOfEachKindInTheCatalogue() {
    assertEquals("device_users_1d", EntityKind.DEVICE.users1d.featureName());
    assertEquals("merchant_fraud_rate_30d", EntityKind.MERCHANT.fraudRate30d.featureName());
  }

  @Test
  void shouldLeaveEntityFeaturesAtZeroWithoutTheEntity() {
    Transaction noDevice = Transaction.of("p", T0, "a", 10).toBuilder().merchant("shop").build();
    FeatureVector v = extractor.extract(EntityKind.DEVICE, entity, noDevice, NO_FEATURES);
    assertEquals(NO_FEATURES, v);
    assertEquals(0, entity.lastDay.count(), "the state is untouched");
  }

  @ParameterizedTest
  @EnumSource(EntityKind.class)
  void shouldCountConfirmedFraudOnlyOnceOlderThanTheLabelDelay(EntityKind kind) {
    for (int i = 0; i < 4; i++) {
      pay(kind, "u" + i, Duration.ofHours(i));
    }
    EntityFeatureExtractor.confirmFraud(entity, T0.toEpochMilli());
    // Known at once, but a payment six days later must not see it: it would leak the future in training.
    assertEquals(0, pay(kind, "x", Duration.ofDays(6)).get(kind.frauds30d));
    FeatureVector later = pay(kind, "y", Duration.ofDays(8));
    assertEquals(1, later.get(kind.frauds30d));
    assertEquals(0.25, later.get(kind.fraudRate30d));
    assertEquals(0.25, later.get(kind.fraudRate1d), "day 0 is the last day that ended 7 days ago");
    assertEquals(0.25, later.get(kind.fraudRate7d));
    FeatureVector dayAfter = pay(kind, "w", Duration.ofDays(9));
    assertEquals(0, dayAfter.get(kind.fraudRate1d), "day 1 had no payments");
    assertEquals(0.25, dayAfter.get(kind.fraudRate7d));
    assertEquals(0, pay(kind, "z", Duration.ofDays(32)).get(kind.frauds30d), "older than the 30-day window");
  }

  @ParameterizedTest
  @EnumSource(EntityKind.class)
  void shouldMeasureHowLongKnownFraudsRanUnbroken(EntityKind kind) {
    // Payments on days 0, 1, 2, 4, 5 and 6; those of days 2, 4 and 5 turn out to be fraud.
    for (int day : new int[] {0, 1, 2, 4, 5, 6}) {
      pay(kind, "u" + day, Duration.ofDays(day));
      if (day == 2 || day == 4 || day == 5) {
        EntityFeatureExtractor.confirmFraud(entity, T0.plus(Duration.ofDays(day)).toEpochMilli());
      }
    }
    assertEquals(0, pay(kind, "x", Duration.ofDays(9)).get(kind.fraudStreakDays), "day 1, the last known, was clean");
    assertEquals(1, pay(kind, "x", Duration.ofDays(10)).get(kind.fraudStreakDays), "day 2 alone");
    assertEquals(4, pay(kind, "x", Duration.ofDays(13)).get(kind.fraudStreakDays),
        "days 2 to 5: day 3 had no payments, so it neither breaks the run nor ends it");
    assertEquals(0, pay(kind, "x", Duration.ofDays(14)).get(kind.fraudStreakDays), "day 6 had a payment and no fraud");
  }

  @Test
  void shouldHonourAConfiguredLabelDelay() {
    EntityFeatureExtractor twoDays = new EntityFeatureExtractor(hasher, Duration.ofDays(2));
    twoDays.extract(EntityKind.MERCHANT, entity, payment("a", Duration.ZERO), NO_FEATURES);
    EntityFeatureExtractor.confirmFraud(entity, T0.toEpochMilli());
    assertEquals(0, twoDays.extract(EntityKind.MERCHANT, entity, payment("b", Duration.ofDays(2)), NO_FEATURES)
        .get(Feature.MERCHANT_FRAUDS_30D), "the payment's day ended less than two days ago");
    assertEquals(1, twoDays.extract(EntityKind.MERCHANT, entity, payment("c", Duration.ofDays(3)), NO_FEATURES)
        .get(Feature.MERCHANT_FRAUDS_30D));

    EntityState fresh = EntityState.empty();
    EntityFeatureExtractor noDelay = new EntityFeatureExtractor(hasher, Duration.ZERO);
    noDelay.extract(EntityKind.MERCHANT, fresh, payment("a", Duration.ZERO), NO_FEATURES);
    EntityFeatureExtractor.confirmFraud(fresh, T0.toEpochMilli());
    assertEquals(0, noDelay.extract(EntityKind.MERCHANT, fresh, payment("b", Duration.ofHours(1)), NO_FEATURES)
        .get(Feature.MERCHANT_FRAUDS_30D), "even without a delay, only days that have ended count");
    assertEquals(1, noDelay.extract(EntityKind.MERCHANT, fresh, payment("c", Duration.ofDays(1)), NO_FEATURES)
        .get(Feature.MERCHANT_FRAUDS_30D));
  }

  @Test
  void shouldRefuseALabelDelayThatIsNotWholeDaysWithinTheWindow() {
    assertThrows(IllegalArgumentException.class, () -> EntityState.checkLabelDelay(Duration.ofDays(-1)));
    assertThrows(IllegalArgumentException.class, () -> EntityState.checkLabelDelay(Duration.ofDays(30)));
    assertThrows(IllegalArgumentException.class, () -> EntityState.checkLabelDelay(Duration.ofHours(36)));
    assertEquals(Duration.ofDays(29), EntityState.checkLabelDelay(Duration.ofDays(29)));
  }

  @Test
  void shouldExpireAfterTheRetentionAndThenStartAfresh() {
    pay(EntityKind.MERCHANT, "a", Duration.ZERO);
    EntityFeatureExtractor.confirmFraud(entity, T0.toEpochMilli());
    long lastDayStart = T0.toEpochMilli() - Math.floorMod(T0.toEpochMilli(), EntityState.DAY_MILLIS);
    assertFalse(entity.expiredAt(lastDayStart + EntityState.RETENTION.toMillis()));
    assertTrue(entity.expiredAt(lastDayStart + EntityState.RETENTION.toMillis() + 1));
    FeatureVector back = pay(EntityKind.MERCHANT, "b", EntityState.RETENTION.plusDays(1));
    assertEquals(1, back.get(Feature.MERCHANT_TX_COUNT_30D));
    assertEquals(1, back.get(Feature.MERCHANT_USERS_30D));
    assertTrue(EntityState.empty().expiredAt(T0.toEpochMilli()), "an empty state holds nothing worth keeping");
  }

  @Test
  void shouldRoundTripTheStateExactly() {
    pay(EntityKind.DEVICE, "a", Duration.ZERO);
    EntityFeatureExtractor.confirmFraud(entity, T0.toEpochMilli());
    EntityState copy = EntityState.fromBytes(entity.toBytes());
    Transaction next = payment("b", Duration.ofDays(9));
    assertEquals(extractor.extract(EntityKind.DEVICE, entity, next, NO_FEATURES),
        extractor.extract(EntityKind.DEVICE, copy, next, NO_FEATURES));
  }
}
