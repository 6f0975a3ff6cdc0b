package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FeatureExtractorTest {

  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private final FeatureExtractor extractor = new FeatureExtractor(new IdentifierHasher("test-secret-of-16-bytes"));
  private final UserState state = UserState.empty();
  private int sequence;

  private FeatureVector pay(Duration after, double amount, String merchant, String device) {
    Transaction tx = Transaction.of("p" + sequence++, T0.plus(after), "u1", amount).toBuilder()
        .merchant(merchant).device(device).build();
    return extractor.extract(state, tx);
  }

  @Test
  void shouldMarkTheFirstPaymentAndItsNovelty() {
    FeatureVector first = pay(Duration.ZERO, 20, "m1", "d1");
    assertEquals(1, first.get(Feature.FIRST_PAYMENT));
    assertEquals(FeatureExtractor.SECONDS_SINCE_PREVIOUS_CAP, first.get(Feature.SECONDS_SINCE_PREVIOUS));
    assertEquals(1, first.get(Feature.NEW_MERCHANT));
    assertEquals(1, first.get(Feature.NEW_DEVICE));
    assertEquals(10, first.get(Feature.HOUR_OF_DAY));

    FeatureVector second = pay(Duration.ofSeconds(90), 20, "m1", "d1");
    assertEquals(0, second.get(Feature.FIRST_PAYMENT));
    assertEquals(90, second.get(Feature.SECONDS_SINCE_PREVIOUS));
    assertEquals(0, second.get(Feature.NEW_MERCHANT));
    assertEquals(0, second.get(Feature.NEW_DEVICE));
  }

  @Test
  void shouldGiveDefinedValuesWhenOptionalFieldsAreMissing() {
    FeatureVector v = pay(Duration.ZERO, 5, null, null);
    assertEquals(1, v.get(Feature.MERCHANT_MISSING));
    assertEquals(0, v.get(Feature.NEW_MERCHANT));
    assertEquals(1, v.get(Feature.DEVICE_MISSING));
    assertEquals(0, v.get(Feature.NEW_DEVICE));
  }

  @Test
  void shouldCountVelocityOverTheLastHourAndDay() {
    for (int i = 0; i < 5; i++) {
      pay(Duration.ofHours(i * 3L), 10, "m1", "d1");
    }
    // A burst two hours after the last one: the hour window holds only the burst.
    FeatureVector burst = null;
    for (int i = 0; i < 14; i++) {
      burst = pay(Duration.ofHours(14).plusSeconds(i * 4L), 2, "m" + i, "d1");
    }
    assertEquals(14, burst.get(Feature.TX_COUNT_1H));
    assertEquals(28, burst.get(Feature.AMOUNT_SUM_1H), 1e-9);
    assertEquals(19, burst.get(Feature.TX_COUNT_24H));
    assertEquals(78, burst.get(Feature.AMOUNT_SUM_24H), 1e-9);
  }

  @Test
  void shouldForgetEventsOlderThanTheWindowWithinOneBucket() {
    pay(Duration.ZERO, 10, "m1", "d1");
    // 55 minutes later the first payment is still counted; 100 minutes later only the one at 55 is.
    assertEquals(2, pay(Duration.ofMinutes(55), 10, "m1", "d1").get(Feature.TX_COUNT_1H));
    assertEquals(2, pay(Duration.ofMinutes(100), 10, "m1", "d1").get(Feature.TX_COUNT_1H));
    assertEquals(1, pay(Duration.ofHours(4), 10, "m1", "d1").get(Feature.TX_COUNT_1H));
  }

  @Test
  void shouldScoreAnAmountAgainstTheUsersOwnHabit() {
    for (int i = 0; i < 30; i++) {
      pay(Duration.ofDays(i), 40 + (i % 3) * 10, "m1", "d1");
    }
    FeatureVector big = pay(Duration.ofDays(30), 450, "m1", "d1");
    assertEquals(50, big.get(Feature.AMOUNT_MEAN), 2);
    assertTrue(big.get(Feature.AMOUNT_ZSCORE) > 40, "z-score " + big.get(Feature.AMOUNT_ZSCORE));
    assertEquals(9, big.get(Feature.AMOUNT_TO_MEAN_RATIO), 0.5);
    assertEquals("amount 9.0x this user's usual", Feature.AMOUNT_TO_MEAN_RATIO.reason(9.04));
  }

  @Test
  void shouldForgetTheLeastRecentDeviceWhenTheSetIsFull() {
    for (int i = 0; i <= UserState.RECENT_DEVICES; i++) {
      pay(Duration.ofMinutes(i), 1, "m1", "d" + i);
    }
    assertEquals(0, pay(Duration.ofMinutes(20), 1, "m1", "d" + UserState.RECENT_DEVICES).get(Feature.NEW_DEVICE));
    assertEquals(1, pay(Duration.ofMinutes(21), 1, "m1", "d0").get(Feature.NEW_DEVICE));
  }

  @Test
  void shouldKeepStateBoundedAndRoundTripItExactly() {
    int sizeAfterOne = 0;
    for (int i = 0; i < 200_000; i++) {
      pay(Duration.ofSeconds(i * 7L), i % 97, "m" + (i % 500), "d" + (i % 50));
      if (i == 0) {
        sizeAfterOne = state.toBytes().length;
      }
    }
    byte[] bytes = state.toBytes();
    assertTrue(bytes.length <= 1024, "state is " + bytes.length + " bytes");
    assertTrue(bytes.length - sizeAfterOne <= (UserState.RECENT_MERCHANTS + UserState.RECENT_DEVICES) * 8);
    UserState copy = UserState.fromBytes(bytes);
    assertEquals(copy.payments(), state.payments());
    Transaction next = Transaction.of("next", T0.plus(Duration.ofDays(20)), "u1", 33).toBuilder().merchant("m7").device("d7").build();
    FeatureExtractor other = new FeatureExtractor(new IdentifierHasher("test-secret-of-16-bytes"));
    assertEquals(extractor.extract(state, next), other.extract(copy, next));
  }
}
