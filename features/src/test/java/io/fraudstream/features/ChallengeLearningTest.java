package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.ChallengeResult.Outcome;
import io.fraudstream.features.FeatureExtractor.Learned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a user's state learns from how their challenges ended, and the results' own contract. */
class ChallengeLearningTest {

  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private final FeatureExtractor extractor = new FeatureExtractor(new IdentifierHasher("test-secret-of-16-bytes"));
  private final UserState state = UserState.empty();

  private FeatureVector pay(String id, Duration after, String device, String payee) {
    return extractor.extract(state, Transaction.of(id, T0.plus(after), "u1", 20).toBuilder().merchant("m1").device(device)
        .counterparty(payee).build());
  }

  private Learned answer(String id, Outcome outcome, Duration after) {
    return FeatureExtractor.learnFromChallenge(state, id, outcome, T0.plus(after).toEpochMilli());
  }

  /** A user with a week of history on their phone, paying the same payee. */
  private void history() {
    for (int day = 0; day < 7; day++) {
      pay("h" + day, Duration.ofDays(day), "phone", "landlord");
    }
  }

  @Test
  void aPassedChallengeVerifiesThePaymentsDeviceAndPayee() {
    history();
    FeatureVector challenged = pay("p1", Duration.ofDays(7), "laptop", "plumber");
    assertEquals(1, challenged.get(Feature.NEW_DEVICE));
    assertEquals(0, challenged.get(Feature.DEVICE_VERIFIED));
    assertEquals(FeatureExtractor.DAYS_SINCE_PASSED_CHALLENGE_CAP, challenged.get(Feature.DAYS_SINCE_LAST_PASSED_CHALLENGE));

    assertEquals(Learned.APPLIED, answer("p1", Outcome.PASSED, Duration.ofDays(7).plusMinutes(1)));
    FeatureVector next = pay("p2", Duration.ofDays(8).plusMinutes(1), "laptop", "plumber");
    assertEquals(1, next.get(Feature.DEVICE_VERIFIED));
    assertEquals(1, next.get(Feature.PAYEE_VERIFIED));
    assertEquals(1.0, next.get(Feature.DAYS_SINCE_LAST_PASSED_CHALLENGE), 1e-9);
    assertEquals(0, next.get(Feature.NEW_DEVICE));
    // The phone was never challenged: known, not verified.
    assertEquals(0, pay("p3", Duration.ofDays(9), "phone", "landlord").get(Feature.DEVICE_VERIFIED));
  }

  @Test
  void aFailedChallengeKeepsANewDeviceAndPayeeNewAndIsCountedForADay() {
    history();
    pay("p1", Duration.ofDays(7), "stranger-phone", "mule");
    assertEquals(Learned.APPLIED, answer("p1", Outcome.FAILED, Duration.ofDays(7).plusMinutes(2)));
    FeatureVector next = pay("p2", Duration.ofDays(7).plusMinutes(5), "stranger-phone", "mule");
    assertEquals(1, next.get(Feature.NEW_DEVICE), "a device that failed its challenge is not familiar");
    assertEquals(1, next.get(Feature.NEW_COUNTERPARTY));
    assertEquals(1, next.get(Feature.FAILED_CHALLENGES_24H));
    assertEquals("1 failed verifications in the last 24 hours", Feature.FAILED_CHALLENGES_24H.reason(1));
    assertEquals(Learned.APPLIED, answer("p2", Outcome.ABANDONED, Duration.ofDays(7).plusMinutes(9)));
    FeatureVector third = pay("p3", Duration.ofDays(7).plusMinutes(10), "stranger-phone", "mule");
    assertEquals(1, third.get(Feature.FAILED_CHALLENGES_24H));
    assertEquals(1, third.get(Feature.ABANDONED_CHALLENGES_24H));
    // Counted at the results' times, and gone a day later.
    assertEquals(0, pay("p4", Duration.ofDays(8).plusHours(5), "phone", "landlord").get(Feature.FAILED_CHALLENGES_24H));
  }

  @Test
  void aFailedChallengeOnAKnownDeviceTakesAwayItsVerificationButNotItsFamiliarity() {
    history();
    pay("p1", Duration.ofDays(7), "phone", "landlord");
    answer("p1", Outcome.PASSED, Duration.ofDays(7));
    pay("p2", Duration.ofDays(7).plusHours(1), "phone", "landlord");
    answer("p2", Outcome.FAILED, Duration.ofDays(7).plusHours(1));
    FeatureVector next = pay("p3", Duration.ofDays(7).plusHours(2), "phone", "landlord");
    assertEquals(0, next.get(Feature.NEW_DEVICE));
    assertEquals(0, next.get(Feature.DEVICE_VERIFIED));
  }

  @Test
  void aSecondAnswerOrOneForAPaymentNotRememberedTeachesNothing() {
    history();
    pay("p1", Duration.ofDays(7), "laptop", null);
    assertEquals(Learned.APPLIED, answer("p1", Outcome.FAILED, Duration.ofDays(7)));
    byte[] before = state.toBytes();
    assertEquals(Learned.ALREADY_ANSWERED, answer("p1", Outcome.FAILED, Duration.ofDays(7)));
    assertEquals(Learned.ALREADY_ANSWERED, answer("p1", Outcome.PASSED, Duration.ofDays(7)));
    assertEquals(Learned.UNKNOWN_PAYMENT, answer("never-paid", Outcome.FAILED, Duration.ofDays(7)));
    assertArrayEquals(before, state.toBytes());
    // Only the last payments are remembered: after eight more, p1's result would find nothing.
    pay("p2", Duration.ofDays(7).plusMinutes(1), "laptop", null);
    for (int i = 0; i < UserState.RECENT_PAYMENTS; i++) {
      pay("q" + i, Duration.ofDays(8).plusMinutes(i), "phone", null);
    }
    assertEquals(Learned.UNKNOWN_PAYMENT, answer("p2", Outcome.PASSED, Duration.ofDays(9)));
  }

  @Test
  void resultsAreReadFromTheirJsonOrRefusedWithTheReason() {
    ChallengeResult read = ChallengeResult.parse(
        "{\"payment_id\":\"p1\",\"outcome\":\"Passed\",\"method\":\"otp\",\"time\":\"2024-05-01T10:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(new ChallengeResult("p1", Outcome.PASSED, "otp", T0), read);
    assertEquals(read, ChallengeResult.parse(read.toJson()));
    ChallengeResult withoutMethod = ChallengeResult.parse(
        "{\"payment_id\":42,\"outcome\":\"abandoned\",\"time\":1714557600000}".getBytes(StandardCharsets.UTF_8));
    assertEquals("42", withoutMethod.paymentId());
    assertNull(withoutMethod.method());

    assertRefused("{\"outcome\":\"passed\",\"time\":1714557600000}", "'payment_id'");
    assertRefused("{\"payment_id\":\"p1\",\"outcome\":\"maybe\",\"time\":1714557600000}", "passed, failed or abandoned, got 'maybe'");
    assertRefused("{\"payment_id\":\"p1\",\"outcome\":\"passed\"}", "'time'");
    assertRefused("{\"payment_id\":\"p1\",\"outcome\":\"passed\",\"time\":1714557600}", "field 'time'");
    assertRefused("{\"payment_id\":\"p1\",\"outcome\":\"passed\",\"method\":\"" + "x".repeat(33) + "\",\"time\":1714557600000}",
        "at most 32");
    assertRefused("{\"payment_id\":\"p1\",\"outcome\":\"passed\",\"method\":7,\"time\":1714557600000}", "'method' must be text");
    assertRefused("[1,2]", "JSON object");
    assertRefused("{not json", "not valid JSON");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ChallengeResult.parse(null)).getMessage().contains("null"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ChallengeResult.parse(new byte[InputLimits.MAX_RECORD_BYTES + 1]))
        .getMessage().contains("at most " + InputLimits.MAX_RECORD_BYTES));
  }

  private static void assertRefused(String json, String because) {
    String message = assertThrows(IllegalArgumentException.class, () -> ChallengeResult.parse(json.getBytes(StandardCharsets.UTF_8)))
        .getMessage();
    assertTrue(message.contains(because), message);
  }
}
