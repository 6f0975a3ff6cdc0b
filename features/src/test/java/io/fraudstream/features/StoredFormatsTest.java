package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.streams.EntityRiskProcessor;
import io.fraudstream.features.streams.StateSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each stored format, as this version writes it, is checked in under {@code golden/}: a change
 * that cannot read them any more breaks a running deployment's state on upgrade. When a format
 * really changes, bump its version, teach {@code fromBytes} to read the old one, and add the new
 * golden file beside the old (write them with {@code -Dfraudstream.golden.write=src/test/resources/golden}).
 */
public class StoredFormatsTest {

  public static final byte[] SECRET = "golden-secret-0123456789".getBytes(StandardCharsets.UTF_8);
  public static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");

  /** A user's history that touches every part of the state: windows, habits, sets and location. */
  public static List<Transaction> history() {
    List<Transaction> payments = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      payments.add(Transaction.of("g" + i, T0.plus(Duration.ofHours(7L * i)), "golden-user", 10 + i % 7).toBuilder()
          .currency("EUR").merchant("m" + i % 5).category("food").channel("app").counterparty("payee-" + i % 3)
          .device("phone-" + i % 2).ip("198.51.100." + i % 4).country(i % 9 == 0 ? "FR" : "BE")
          .location(50.8 + i * 0.01, 4.35).build());
    }
    return payments;
  }

  private static Transaction next() {
    return Transaction.of("g-next", T0.plus(Duration.ofDays(13)), "golden-user", 95).toBuilder()
        .merchant("m9").device("phone-7").ip("203.0.113.1").country("NL").counterparty("payee-9").location(52.37, 4.9).build();
  }

  @Test
  void shouldReadTheUserStateOfFormat5AndGiveTheSameFeatures() throws IOException {
    IdentifierHasher hasher = new IdentifierHasher(SECRET);
    FeatureExtractor extractor = new FeatureExtractor(hasher);
    UserState state = UserState.empty();
    for (Transaction tx : history()) {
      extractor.extract(state, hasher.pseudonymise(tx));
      // Every kind of result, so that every part of the challenges' state is written.
      if (tx.id().equals("g30") || tx.id().equals("g33") || tx.id().equals("g36")) {
        ChallengeResult.Outcome outcome = tx.id().equals("g30") ? ChallengeResult.Outcome.PASSED
            : tx.id().equals("g33") ? ChallengeResult.Outcome.FAILED : ChallengeResult.Outcome.ABANDONED;
        assertEquals(FeatureExtractor.Learned.APPLIED, FeatureExtractor.learnFromChallenge(state, tx.id(), outcome, tx.timestamp().toEpochMilli()));
      }
    }
    double[] expected = extractor.extract(UserState.fromBytes(state.toBytes()), hasher.pseudonymise(next())).toArray();
    golden("user-state-v5.bin", state.toBytes());
    golden("user-state-v5.features", doubles(expected));

    // Written as checked in, byte for byte: the one list that writes the form also reads it, so
    // only this comparison catches a part moved in both.
    assertArrayEquals(read("user-state-v5.bin"), state.toBytes());
    UserState read = UserState.fromBytes(read("user-state-v5.bin"));
    assertArrayEquals(parseDoubles(read("user-state-v5.features")), extractor.extract(read, hasher.pseudonymise(next())).toArray());
  }

  @Test
  void shouldReadTheUserStateOfFormat4AsOneThatHasLearnedNothingFromChallenges() throws IOException {
    IdentifierHasher hasher = new IdentifierHasher(SECRET);
    FeatureExtractor extractor = new FeatureExtractor(hasher);
    UserState read = UserState.fromBytes(read("user-state-v4.bin"));
    double[] features = extractor.extract(read, hasher.pseudonymise(next())).toArray();

    // Format 4's features, all of them, as format 4 gave them; the new ones as for a user never challenged.
    assertArrayEquals(parseDoubles(read("user-state-v4.features")), withoutChallengeFeatures(features));
    assertEquals(0, features[Feature.DEVICE_VERIFIED.ordinal()]);
    assertEquals(0, features[Feature.FAILED_CHALLENGES_24H.ordinal()]);
    assertEquals(FeatureExtractor.DAYS_SINCE_PASSED_CHALLENGE_CAP, features[Feature.DAYS_SINCE_LAST_PASSED_CHALLENGE.ordinal()]);
    // Written back as format 5, which the next read takes as it is.
    byte[] upgraded = read.toBytes();
    assertEquals(5, upgraded[0]);
    assertArrayEquals(upgraded, UserState.fromBytes(upgraded).toBytes());
  }

  /** The features of format 4's catalogue, in its order: all but the step-up verification ones added with format 5. */
  static double[] withoutChallengeFeatures(double[] features) {
    List<Feature> added = List.of(Feature.DEVICE_VERIFIED, Feature.PAYEE_VERIFIED, Feature.DAYS_SINCE_LAST_PASSED_CHALLENGE,
        Feature.FAILED_CHALLENGES_24H, Feature.ABANDONED_CHALLENGES_24H);
    return Feature.all().stream().filter(f -> !added.contains(f)).mapToDouble(f -> features[f.ordinal()]).toArray();
  }

  @Test
  void shouldReadTheEntityStateOfFormat1AndGiveTheSameFeatures() throws IOException {
    IdentifierHasher hasher = new IdentifierHasher(SECRET);
    EntityFeatureExtractor extractor = new EntityFeatureExtractor(hasher, Duration.ofDays(1));
    EntityState state = EntityState.empty();
    FeatureVector blank = new FeatureVector(new double[Feature.values().length]);
    for (Transaction tx : history()) {
      extractor.extract(EntityKind.MERCHANT, state, hasher.pseudonymise(tx), blank);
    }
    EntityFeatureExtractor.confirmFraud(state, T0.plus(Duration.ofDays(3)).toEpochMilli());
    Transaction atAKnownMerchant = hasher.pseudonymise(next().toBuilder().merchant("m4").build());
    double[] expected = extractor.extract(EntityKind.MERCHANT, EntityState.fromBytes(state.toBytes()), atAKnownMerchant, blank).toArray();
    golden("entity-state-v1.bin", state.toBytes());
    // Written with format 4's catalogue, which the entity features have kept; the user features after it were added since.
    golden("entity-state-v1.features", doubles(withoutChallengeFeatures(expected)));

    assertArrayEquals(read("entity-state-v1.bin"), state.toBytes());
    EntityState read = EntityState.fromBytes(read("entity-state-v1.bin"));
    assertArrayEquals(parseDoubles(read("entity-state-v1.features")),
        withoutChallengeFeatures(extractor.extract(EntityKind.MERCHANT, read, atAKnownMerchant, blank).toArray()));
  }

  @Test
  void shouldReadTheEntityEventsAndTheirKeysAsWritten() throws IOException {
    // The entity events cross an internal topic between versions during a rolling upgrade.
    EntityEvent payment = EntityEvent.payment(T0.toEpochMilli(), 12.5, new IdentifierHasher(SECRET).hash("golden-user"));
    EntityEvent fraud = EntityEvent.confirmedFraud(T0.plus(Duration.ofDays(2)).toEpochMilli());
    golden("entity-event-payment-v1.bin", payment.toBytes());
    golden("entity-event-fraud-v1.bin", fraud.toBytes());
    EntityEvent forget = EntityEvent.forgetUser(new IdentifierHasher(SECRET).hash("golden-user"));
    golden("entity-event-forget-user-v1.bin", forget.toBytes());
    golden("entity-forget-user-key-v1.txt", EntityRiskProcessor.FORGET_USER_KEY.getBytes(StandardCharsets.UTF_8));
    golden("entity-risk-keys-v1.txt", String.join("\n", EntityKind.DEVICE.riskKey("hmac:00000000000000ff"),
        EntityKind.MERCHANT.riskKey("m-42"), EntityRiskProcessor.progressKey(3)).getBytes(StandardCharsets.UTF_8));

    assertEquals(payment, EntityEvent.fromBytes(read("entity-event-payment-v1.bin")));
    assertEquals(fraud, EntityEvent.fromBytes(read("entity-event-fraud-v1.bin")));
    assertEquals(forget, EntityEvent.fromBytes(read("entity-event-forget-user-v1.bin")));
    assertEquals(EntityRiskProcessor.FORGET_USER_KEY, new String(read("entity-forget-user-key-v1.txt"), StandardCharsets.UTF_8));
    String[] keys = new String(read("entity-risk-keys-v1.txt"), StandardCharsets.UTF_8).split("\n");
    assertEquals(EntityKind.DEVICE, EntityKind.ofRiskKey(keys[0]));
    assertEquals(EntityKind.MERCHANT, EntityKind.ofRiskKey(keys[1]));
    assertTrue(EntityRiskProcessor.isProgressKey(keys[2]));
    assertNull(EntityKind.ofRiskKey(keys[2]));
  }

  @Test
  void shouldReadAStateThisVersionCannotReadAsAbsentAndSaySo() {
    List<String> heard = new ArrayList<>();
    byte[] fromTheFuture = Arrays.copyOf(UserState.empty().toBytes(), 10);
    fromTheFuture[0] = 99;
    assertNull(StateSerde.users(e -> heard.add(e.getMessage())).deserializer().deserialize("t", fromTheFuture));
    assertEquals(List.of("unsupported user state format 99, expected 5 or 4"), heard);
  }

  @Test
  void shouldTellTheStoredFormOfAnEntityStateInConstantTime() throws IOException {
    assertTrue(EntityState.hasStoredForm(read("entity-state-v1.bin")));
    assertTrue(EntityState.hasStoredForm(EntityState.empty().toBytes()));
    assertFalse(EntityState.hasStoredForm(new byte[] {1, 2}));
    assertFalse(EntityState.hasStoredForm(Arrays.copyOf(read("entity-state-v1.bin"), read("entity-state-v1.bin").length + 3)));
    byte[] otherVersion = read("entity-state-v1.bin");
    otherVersion[0] = 2;
    assertFalse(EntityState.hasStoredForm(otherVersion));
    assertFalse(EntityState.hasStoredForm(null));
  }

  private static void golden(String name, byte[] bytes) throws IOException {
    GoldenFiles.write(name, bytes);
  }

  private static byte[] read(String name) throws IOException {
    return GoldenFiles.read(name);
  }

  private static byte[] doubles(double[] values) {
    StringBuilder text = new StringBuilder();
    for (double value : values) {
      text.append(value).append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static double[] parseDoubles(byte[] text) {
    return new String(text, StandardCharsets.UTF_8).lines().mapToDouble(Double::parseDouble).toArray();
  }
}
