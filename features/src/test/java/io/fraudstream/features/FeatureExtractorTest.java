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
    return pay(Transaction.of("p" + sequence++, T0.plus(after), "u1", amount).toBuilder().merchant(merchant).device(device));
  }

  private FeatureVector pay(Transaction.Builder builder) {
    return extractor.extract(state, builder.build());
  }

  private Transaction.Builder at(Duration after, double amount) {
    return Transaction.of("p" + sequence++, T0.plus(after), "u1", amount).toBuilder();
  }

  @Test
  void shouldCountTheLastMinuteAndTheLastWeek() {
    for (int day = 0; day < 10; day++) {
      pay(Duration.ofDays(day), 10, "m1", "d1");
    }
    FeatureVector v = null;
    for (int i = 0; i < 5; i++) {
      v = pay(Duration.ofDays(10).plusSeconds(i * 5L), 1, "m1", "d1");
    }
    assertEquals(5, v.get(Feature.TX_COUNT_1M));
    assertEquals(5, v.get(Feature.AMOUNT_SUM_1M), 1e-9);
    // The week window covers 6.5-7 days: days 4..9 (and maybe 3) plus today's five.
    assertTrue(v.get(Feature.TX_COUNT_7D) >= 11 && v.get(Feature.TX_COUNT_7D) <= 12, v.toString());
  }

  @Test
  void shouldCompareWithTheUsersLargestAmountAndTimeHabits() {
    for (int day = 0; day < 20; day++) {
      pay(Duration.ofDays(day), day == 3 ? 100 : 20, "m1", "d1");
    }
    FeatureVector usualTime = pay(Duration.ofDays(20), 200, "m1", "d1");
    assertTrue(usualTime.get(Feature.AMOUNT_MAX) > 50 && usualTime.get(Feature.AMOUNT_MAX) < 100, usualTime.toString());
    assertTrue(usualTime.get(Feature.AMOUNT_TO_MAX_RATIO) > 2);
    assertTrue(usualTime.get(Feature.HOUR_SHARE) > 0.9, "always paid at 10:00: " + usualTime.get(Feature.HOUR_SHARE));
    FeatureVector night = pay(Duration.ofDays(20).plusHours(17), 20, "m1", "d1");
    assertEquals(3, night.get(Feature.HOUR_OF_DAY));
    assertEquals(1, night.get(Feature.NIGHT));
    assertEquals(0, night.get(Feature.HOUR_SHARE));
    assertEquals("a time of day this user rarely pays at", Feature.HOUR_SHARE.reason(night.get(Feature.HOUR_SHARE)));
    // Day 20 + 17 h after Wednesday 2024-05-01 10:00 is Wednesday 2024-05-22 03:00.
    assertEquals(3, night.get(Feature.DAY_OF_WEEK));
    assertEquals(0, night.get(Feature.WEEKEND));
  }

  @Test
  void shouldTrackNewIpsCountriesAndPayeesWithDistinctCounts() {
    FeatureVector first = pay(at(Duration.ZERO, 10).ip("10.0.0.1").country("BE").counterparty("alice"));
    assertEquals(1, first.get(Feature.NEW_IP));
    assertEquals(1, first.get(Feature.NEW_COUNTRY));
    assertEquals(1, first.get(Feature.NEW_COUNTERPARTY));
    assertEquals(1, first.get(Feature.NEW_COUNTERPARTY_AMOUNT_SHARE_24H));
    FeatureVector same = pay(at(Duration.ofHours(1), 30).ip("10.0.0.1").country("BE").counterparty("alice"));
    assertEquals(0, same.get(Feature.NEW_IP) + same.get(Feature.NEW_COUNTRY) + same.get(Feature.NEW_COUNTERPARTY));
    assertEquals(0.25, same.get(Feature.NEW_COUNTERPARTY_AMOUNT_SHARE_24H), 1e-9);
    FeatureVector fanOut = null;
    for (int i = 0; i < 4; i++) {
      fanOut = pay(at(Duration.ofHours(2).plusMinutes(i), 100).counterparty("mule-" + i));
    }
    assertEquals(5, fanOut.get(Feature.DISTINCT_COUNTERPARTIES_24H));
    assertEquals(0.93, fanOut.get(Feature.NEW_COUNTERPARTY_AMOUNT_SHARE_24H), 0.01);
    assertEquals(1, fanOut.get(Feature.IP_MISSING));
    assertEquals(1, fanOut.get(Feature.COUNTRY_MISSING));
    FeatureVector nextDay = pay(at(Duration.ofHours(30), 5).counterparty("alice"));
    assertEquals(1, nextDay.get(Feature.DISTINCT_COUNTERPARTIES_24H));
  }

  @Test
  void shouldForgetAUserIdleBeyondTheRetention() {
    pay(Duration.ZERO, 500, "m1", "d1");
    assertEquals(0, pay(UserState.RETENTION, 10, "m1", "d1").get(Feature.FIRST_PAYMENT));
    FeatureVector back = pay(UserState.RETENTION.multipliedBy(2).plusDays(1), 10, "m1", "d1");
    assertEquals(1, back.get(Feature.FIRST_PAYMENT));
    assertEquals(1, back.get(Feature.NEW_DEVICE));
    assertEquals(1, state.payments());
  }

  @Test
  void shouldFlagImpossibleTravel() {
    FeatureVector brussels = pay(at(Duration.ZERO, 10).location(50.85, 4.35));
    assertEquals(0, brussels.get(Feature.DISTANCE_KM));
    assertEquals(0, brussels.get(Feature.LOCATION_MISSING));
    assertEquals(1, pay(at(Duration.ofMinutes(30), 10)).get(Feature.LOCATION_MISSING));
    FeatureVector sydney = pay(at(Duration.ofHours(1), 10).location(-33.87, 151.21));
    assertEquals(16_700, sydney.get(Feature.DISTANCE_KM), 200);
    assertEquals(16_700, sydney.get(Feature.SPEED_KMH), 200);
    assertTrue(Feature.SPEED_KMH.reason(sydney.get(Feature.SPEED_KMH)).matches("travel at 16[5-9]\\d\\d km/h implied since the previous payment"),
        Feature.SPEED_KMH.reason(sydney.get(Feature.SPEED_KMH)));
    FeatureVector nextDoor = pay(at(Duration.ofHours(1).plusSeconds(10), 10).location(-33.87, 151.2101));
    assertTrue(nextDoor.get(Feature.SPEED_KMH) < 1, "10 s and 9 m apart is not flight: " + nextDoor.get(Feature.SPEED_KMH));
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
    for (int i = 0; i < 1_000_000; i++) {
      pay(at(Duration.ofSeconds(i * 7L), i % 97).merchant("m" + (i % 500)).device("d" + (i % 50))
          .ip("10.0." + (i % 250) + ".1").country(i % 3 == 0 ? "BE" : "NL").counterparty(i % 5 == 0 ? "p" + (i % 700) : null)
          .location(i % 2 == 0 ? 50.0 + (i % 10) : null, i % 2 == 0 ? 4.0 : null));
      if (i == 0) {
        sizeAfterOne = state.toBytes().length;
      }
    }
    byte[] bytes = state.toBytes();
    assertTrue(bytes.length <= 3_500, "state is " + bytes.length + " bytes after a million payments");
    int recentCapacity = UserState.RECENT_MERCHANTS + UserState.RECENT_DEVICES + UserState.RECENT_IPS
        + UserState.RECENT_COUNTRIES + UserState.RECENT_COUNTERPARTIES;
    // 25 bytes per remembered payment: its id's, device's and payee's hashes and a byte of flags.
    assertTrue(bytes.length - sizeAfterOne <= recentCapacity * 16 + (UserState.RECENT_PAYMENTS - 1) * 25,
        "only the capped recent sets and payments may grow");
    UserState copy = UserState.fromBytes(bytes);
    assertEquals(copy.payments(), state.payments());
    Transaction next = Transaction.of("next", T0.plus(Duration.ofDays(20)), "u1", 33).toBuilder().merchant("m7").device("d7").build();
    FeatureExtractor other = new FeatureExtractor(new IdentifierHasher("test-secret-of-16-bytes"));
    assertEquals(extractor.extract(state, next), other.extract(copy, next));
  }
}
