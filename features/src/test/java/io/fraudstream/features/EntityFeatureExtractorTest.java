package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EntityFeatureExtractorTest {

  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private final EntityFeatureExtractor extractor = new EntityFeatureExtractor(new IdentifierHasher("entity-test-secret-16"));
  private final EntityState shop = EntityState.empty();

  private FeatureVector pay(String user, Duration after) {
    Transaction tx = Transaction.of(user + after, T0.plus(after), user, 10).toBuilder().merchant("shop").build();
    return extractor.extract(shop, tx, new FeatureVector(new double[Feature.count()]));
  }

  @Test
  void shouldCountPaymentsAndDistinctUsersOverEachWindow() {
    pay("a", Duration.ZERO);
    pay("b", Duration.ofDays(3));
    pay("a", Duration.ofDays(10));
    FeatureVector v = pay("c", Duration.ofDays(10).plusHours(1));
    assertEquals(2, v.get(Feature.MERCHANT_TX_COUNT_1D));
    assertEquals(2, v.get(Feature.MERCHANT_TX_COUNT_7D));
    assertEquals(4, v.get(Feature.MERCHANT_TX_COUNT_30D));
    assertEquals(2, v.get(Feature.MERCHANT_USERS_1D));
    assertEquals(2, v.get(Feature.MERCHANT_USERS_7D));
    assertEquals(3, v.get(Feature.MERCHANT_USERS_30D));
  }

  @Test
  void shouldCountConfirmedFraudOnlyOnceOlderThanTheLabelDelay() {
    for (int i = 0; i < 4; i++) {
      pay("u" + i, Duration.ofHours(i));
    }
    EntityFeatureExtractor.confirmFraud(shop, T0.toEpochMilli());
    // Known at once, but a payment six days later must not see it: it would leak the future in training.
    assertEquals(0, pay("x", Duration.ofDays(6)).get(Feature.MERCHANT_FRAUDS_30D));
    FeatureVector later = pay("y", Duration.ofDays(8));
    assertEquals(1, later.get(Feature.MERCHANT_FRAUDS_30D));
    assertEquals(0.25, later.get(Feature.MERCHANT_FRAUD_RATE_30D));
    assertEquals(0, pay("z", Duration.ofDays(32)).get(Feature.MERCHANT_FRAUDS_30D), "older than the 30-day window");
  }

  @Test
  void shouldRoundTripTheStateExactly() {
    pay("a", Duration.ZERO);
    EntityFeatureExtractor.confirmFraud(shop, T0.toEpochMilli());
    EntityState copy = EntityState.fromBytes(shop.toBytes());
    Transaction next = Transaction.of("n", T0.plus(Duration.ofDays(9)), "b", 5).toBuilder().merchant("shop").build();
    FeatureVector zero = new FeatureVector(new double[Feature.count()]);
    assertEquals(extractor.extract(shop, next, zero), extractor.extract(copy, next, zero));
  }
}
