package io.fraudstream.engine.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.TrainerSpec;
import io.fraudstream.models.data.SyntheticGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecisionPolicyTest {

  private static FeatureVector vector(Feature feature, double value, Feature other, double otherValue) {
    double[] values = new double[Feature.count()];
    values[feature.ordinal()] = value;
    values[other.ordinal()] = otherValue;
    return new FeatureVector(values);
  }

  private static FeatureVector withValue(FeatureVector vector, Feature feature, double value) {
    double[] values = vector.toArray();
    values[feature.ordinal()] = value;
    return new FeatureVector(values);
  }

  @Test
  void shouldRankReasonsByContributionAndSkipIndicatorsThatAreOff() {
    FeatureVector features = vector(Feature.TX_COUNT_1H, 14, Feature.NEW_DEVICE, 0);
    features = withValue(features, Feature.NIGHT, 1);
    double[] contributions = new double[Feature.count()];
    contributions[Feature.AMOUNT_TO_MEAN_RATIO.ordinal()] = 0.5;   // ratio 0: not unusual, no reason
    contributions[Feature.AMOUNT_MEAN.ordinal()] = 5.0;            // context, never a reason
    contributions[Feature.TX_COUNT_1H.ordinal()] = 2.0;
    contributions[Feature.NEW_DEVICE.ordinal()] = 3.0;   // off: a device seen before cannot be a reason
    contributions[Feature.HOUR_OF_DAY.ordinal()] = 1.5;             // context, never a reason
    contributions[Feature.NIGHT.ordinal()] = 1.0;
    contributions[Feature.AMOUNT.ordinal()] = 0.1;
    contributions[Feature.AMOUNT_SUM_1H.ordinal()] = -4.0;
    assertEquals(List.of("14 payments in the last hour", "at night", "amount 0.00"),
        Reasons.fromContributions(features, contributions));
  }

  @Test
  void shouldGiveReasonsForDecisionsOfATreeModel() {
    List<FeatureRow> rows = OfflineReplay.replay(
        SyntheticGenerator.generate(SyntheticGenerator.Settings.of(400, 30, 8)), TestModels.SECRET);
    ModelBundle xgboost = ModelTrainer.train(rows,
        ModelTrainer.Settings.defaults("synthetic seed 8").withTrainer(TrainerSpec.parse("xgboost:trees=30,depth=4")));
    DecisionPolicy policy = new DecisionPolicy(xgboost, Duration.ofHours(24));
    List<Decision> flagged = rows.stream().filter(FeatureRow::fraud)
        .map(row -> policy.decide(new FeaturedTransaction(row.transaction(), row.features(), 0), Instant.EPOCH))
        .filter(decision -> decision.tier() != Tier.ALLOW).toList();
    assertTrue(flagged.size() > 50, flagged.size() + " frauds flagged");
    long explained = flagged.stream().filter(decision -> !decision.reasons().isEmpty()).count();
    assertTrue(explained > flagged.size() * 0.9, explained + " of " + flagged.size() + " flagged decisions give reasons");
  }

  @Test
  void aScoreThatIsNotANumberShouldAskForVerificationNotAllow() {
    FeatureRow row = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(50, 5, 3)), TestModels.SECRET).get(100);
    DecisionPolicy policy = new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24));
    Decision scored = policy.decide(new FeaturedTransaction(row.transaction(), row.features(), 0), Instant.EPOCH);
    assertTrue(Double.isFinite(scored.score()), "the payment itself scores");
    // A value no feature should ever take, as a bug or a hostile input could make it.
    Decision unscored = policy.decide(new FeaturedTransaction(row.transaction(), withValue(row.features(), Feature.AMOUNT_ZSCORE, Double.NaN), 0),
        Instant.EPOCH);
    assertEquals(Tier.CHALLENGE, unscored.tier());
    assertTrue(unscored.reasons().stream().anyMatch(reason -> reason.startsWith("could not be scored")), unscored.reasons().toString());
  }

  @Test
  void shouldGiveNoReasonsWhenNothingPushedTheScoreUp() {
    assertEquals(List.of(), Reasons.fromContributions(vector(Feature.AMOUNT, 3, Feature.NEW_DEVICE, 1), new double[Feature.count()]));
  }

  @Test
  void shouldTellTheUserWhatWasUnusualWithoutNamingDevicesOrPayees() {
    DecisionPolicy policy = new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24));
    Map<String, Double> features = vector(Feature.NEW_MERCHANT, 1, Feature.NEW_DEVICE, 1).toMap();
    Decision blocked = decision(Tier.BLOCK, true, features);
    assertEquals("We stopped a payment of 950.00 EUR at a merchant you have not used before, from a new device."
        + " To protect you, we paused your account. If it was you, contact us.", AlertWording.alertFor(blocked).message());
    Map<String, Double> abroad = vector(Feature.NEW_COUNTRY, 1, Feature.AMOUNT_TO_MEAN_RATIO, 4).toMap();
    assertEquals("Please confirm with a one-time code: a payment of 950.00 EUR from a country you have not paid from before,"
        + " well above your usual amount.", AlertWording.alertFor(decision(Tier.CHALLENGE, false, abroad)).message());
    Alert alert = AlertWording.alertFor(blocked);
    assertEquals("hmac:00000000000000aa", alert.device());
    assertEquals(blocked.reasons(), alert.reasons());
  }

  private static Decision decision(Tier tier, boolean placesBlock, Map<String, Double> features) {
    return Decision.builder().paymentId("p1").user("alice").timestamp(Instant.EPOCH).amount(950).currency("EUR").merchant("m1")
        .device("hmac:00000000000000aa").tier(tier).score(0.97).modelTier(tier).reasons(List.of("a new device"))
        .modelVersion("lr-x").modelProvenance("bundle-x").rulesVersion("none").placesBlock(placesBlock).features(features)
        .extractionMicros(1).scoringMicros(1).decidedAt(Instant.EPOCH).build();
  }
}
