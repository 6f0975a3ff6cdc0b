package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

  static final byte[] SECRET = "model-test-secret-16+".getBytes(StandardCharsets.UTF_8);
  static List<FeatureRow> rows;
  static ModelBundle bundle;

  @BeforeAll
  static void train() {
    rows = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(600, 30, 7)), SECRET);
    bundle = ModelTrainer.train(rows, ModelTrainer.Settings.defaults("synthetic seed 7"));
  }

  @Test
  void shouldLearnTheSyntheticFraudPatternsOnHeldOutData() {
    var metrics = bundle.manifest().metrics();
    assertTrue(metrics.get("auc_roc") > 0.9, "AUC " + metrics.get("auc_roc"));
    assertTrue(metrics.get("average_precision") > 0.5, "AP " + metrics.get("average_precision"));
    // The thresholds, tuned on the validation split, hold on payments the training never saw:
    // another seed's users, over the same last fifth of the month as the validation split (their
    // first days, when every device and merchant is new, score higher). On the validation split
    // itself they hold by construction.
    List<FeatureRow> unseenMonth = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(400, 30, 8)), SECRET);
    Instant lastFifth = unseenMonth.get(0).transaction().timestamp().plus(Duration.ofDays(24));
    List<FeatureRow> unseen = unseenMonth.stream().filter(row -> row.transaction().timestamp().isAfter(lastFifth)).toList();
    ModelScorer scorer = new ModelScorer(bundle);
    double[] scores = unseen.stream().mapToDouble(row -> scorer.probability(row.features())).toArray();
    boolean[] fraud = new boolean[scores.length];
    for (int i = 0; i < fraud.length; i++) {
      fraud[i] = unseen.get(i).fraud();
    }
    Evaluation.Confusion challenged = Evaluation.at(scores, fraud, bundle.thresholds().challenge());
    double falsePositiveRate = (double) challenged.falsePositives() / (challenged.falsePositives() + challenged.trueNegatives());
    assertTrue(falsePositiveRate <= 0.02, "CHALLENGE false-positive rate on unseen users " + falsePositiveRate + " (target 0.01)");
    Evaluation.Confusion blocked = Evaluation.at(scores, fraud, bundle.thresholds().block());
    assertTrue(blocked.precision() >= 0.8, "BLOCK precision on unseen users " + blocked.precision() + " (floor 0.9 on validation)");
    assertEquals(Feature.names(), bundle.manifest().features());
    assertTrue(bundle.version().startsWith("lr-"));
  }

  @Test
  void shouldRoundTripThroughAFileAndScoreIdentically(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.bundle");
    bundle.save(file);
    ModelBundle loaded = ModelBundle.load(file);
    assertEquals(bundle.version(), loaded.version());
    assertEquals(bundle.thresholds(), loaded.thresholds());
    assertEquals(bundle.manifest().dataset(), loaded.manifest().dataset());
    assertEquals(Duration.ofDays(7), loaded.labelDelay());
    assertEquals(bundle.provenanceId(), loaded.provenanceId(), "the provenance id must survive a round trip");
    ModelBundle retuned = loaded.withThresholds(new Thresholds(0.2, 0.9));
    assertEquals(bundle.version(), retuned.version());
    assertTrue(!retuned.provenanceId().equals(bundle.provenanceId()), "other thresholds decide differently, so another provenance");
    ModelScorer before = new ModelScorer(bundle);
    ModelScorer after = new ModelScorer(loaded);
    for (FeatureRow row : rows.subList(0, 500)) {
      assertEquals(before.score(row.features()).probability(), after.score(row.features()).probability());
    }
  }

  @Test
  void shouldCarryTheLabelDelayItWasTrainedWith(@TempDir Path dir) throws Exception {
    Duration threeDays = Duration.ofDays(3);
    List<FeatureRow> replayed = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(200, 20, 8)), SECRET, threeDays);
    ModelBundle trained = ModelTrainer.train(replayed, ModelTrainer.Settings.defaults("synthetic seed 8").withLabelDelay(threeDays));
    Path file = dir.resolve("three-days.bundle");
    trained.save(file);
    assertEquals(threeDays, ModelBundle.load(file).labelDelay());
    assertThrows(IllegalArgumentException.class,
        () -> ModelTrainer.Settings.defaults("x").withLabelDelay(Duration.ofDays(30)));
  }

  @Test
  void shouldRefuseABundleTrainedOnFeaturesTheEngineDoesNotCompute(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.bundle");
    bundle.save(file);
    List<String> olderEngine = new ArrayList<>(Feature.names());
    olderEngine.remove("merchant_fraud_streak_days");
    ModelBundleException error = assertThrows(ModelBundleException.class, () -> ModelBundle.load(file, olderEngine));
    assertTrue(error.getMessage().contains("unknown [merchant_fraud_streak_days]"), error.getMessage());
    assertTrue(error.getMessage().contains("retrain"), error.getMessage());

    // The other way round is an upgrade: an engine that computes more features serves the bundle on its own.
    List<String> newerEngine = new ArrayList<>(Feature.names());
    newerEngine.add("velocity_count_1m");
    assertEquals(Feature.names(), ModelBundle.load(file, newerEngine).manifest().features());
  }

  @Test
  void shouldRefuseFilesThatAreNotBundles(@TempDir Path dir) throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.bundle"), "hello");
    assertTrue(assertThrows(ModelBundleException.class, () -> ModelBundle.load(junk)).getMessage().contains("not a fraudstream bundle"));
    assertTrue(assertThrows(ModelBundleException.class, () -> ModelBundle.load(dir.resolve("absent")))
        .getMessage().contains("does not exist"));
  }

  @Test
  void contributionsShouldAddUpToTheModelsLogOdds() {
    assertContributionsAddUp(bundle);
    assertScoredAsTribuoScores(bundle);
  }

  @Test
  void contributionsOfValueRangesShouldAddUpToTheModelsLogOddsToo(@TempDir Path dir) throws Exception {
    ModelBundle ranged = ModelTrainer.train(rows, ModelTrainer.Settings.defaults("synthetic seed 7").withTrainer(TrainerSpec.parse("logistic:bins=4")));
    List<FeatureBins> bins = ranged.manifest().bins();
    assertEquals(Feature.count(), bins.size());
    assertTrue(bins.stream().filter(featureBins -> featureBins.count() > 1).count() >= 10, bins.toString());
    assertContributionsAddUp(ranged);
    assertScoredAsTribuoScores(ranged);
    // The ranges are part of the model: a bundle read back scores the same.
    Path file = dir.resolve("ranged.bundle");
    ranged.save(file);
    ModelScorer before = new ModelScorer(ranged);
    ModelScorer after = new ModelScorer(ModelBundle.load(file));
    for (FeatureRow row : rows.subList(0, 500)) {
      assertEquals(before.score(row.features()).probability(), after.score(row.features()).probability());
    }
    assertEquals(null, bundle.manifest().bins(), "a model of slopes alone has no ranges");
  }

  /** The scorer computes the score from the weights; Tribuo's own prediction must agree. */
  private static void assertScoredAsTribuoScores(ModelBundle model) {
    ModelScorer scorer = new ModelScorer(model);
    for (FeatureRow row : rows.subList(0, 3000)) {
      double tribuo = model.model().predict(scorer.example(row.features())).getOutputScores().get(ModelScorer.FRAUD).getScore();
      assertEquals(tribuo, scorer.score(row.features()).probability(), 1e-12 + 1e-9 * tribuo);
    }
  }

  /**
   * A linear model's contributions explain its score: the log-odds of any two payments differ by
   * the difference of their contributions' sums.
   */
  private static void assertContributionsAddUp(ModelBundle model) {
    ModelScorer scorer = new ModelScorer(model);
    ModelScorer.Score average = scorer.score(new FeatureVector(model.manifest().means().clone()));
    double baseLogOdds = logit(average.probability()) - Arrays.stream(average.contributions()).sum();
    for (FeatureRow row : rows.subList(1000, 1200)) {
      ModelScorer.Score score = scorer.score(row.features());
      double sum = 0;
      for (double contribution : score.contributions()) {
        sum += contribution;
      }
      assertEquals(logit(score.probability()), baseLogOdds + sum, 1e-6);
    }
  }

  @Test
  void thresholdsShouldRespectTheFalsePositiveBudgetAndPrecisionFloor() {
    double[] scores = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
    boolean[] fraud = {false, false, false, false, false, false, false, true, true, true};
    Thresholds t = Thresholds.tune(scores, fraud, 0.15, 1.0, 1);
    // 15 % of 7 legit payments allows one false positive: 0.7 and above.
    assertEquals(1, Evaluation.at(scores, fraud, t.challenge()).falsePositives());
    assertEquals(1.0, Evaluation.at(scores, fraud, t.block()).precision());
    assertEquals(0.8, t.block());
    assertArrayEquals(new double[] {1.0, 1.0}, new double[] {Evaluation.auc(scores, fraud), Evaluation.averagePrecision(scores, fraud)});
  }

  private static double logit(double p) {
    return Math.log(p / (1 - p));
  }
}
