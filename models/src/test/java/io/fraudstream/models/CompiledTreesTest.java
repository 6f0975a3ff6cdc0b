package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Feature;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/** Compiled tree ensembles must score exactly as Tribuo does (within 1e-6), on 100,000 payments. */
class CompiledTreesTest {

  private static final byte[] SECRET = "compiled-trees-secret".getBytes(StandardCharsets.UTF_8);
  private static List<FeatureRow> training;
  private static List<FeatureRow> validation;
  private static List<FeatureRow> scored;

  @BeforeAll
  static void replay() {
    List<FeatureRow> history = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(500, 30, 31)), SECRET);
    int split = history.size() * 4 / 5;
    training = history.subList(0, split);
    validation = history.subList(split, history.size());
    scored = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_500, 32, 32)), SECRET).subList(0, 100_000);
  }

  private static ModelBundle train(String trainer, List<FeatureRow> rows) {
    return ModelTrainer.train(rows, validation, Set.copyOf(Feature.all()),
        ModelTrainer.Settings.defaults("synthetic seed 31").withTrainer(TrainerSpec.parse(trainer)));
  }

  /** The largest difference between the compiled trees and Tribuo's own batch prediction. */
  private static double largestDifference(ModelBundle bundle) {
    ModelScorer scorer = new ModelScorer(bundle);
    List<Example<Label>> examples = scored.stream().map(row -> (Example<Label>) scorer.example(row.features())).toList();
    List<Prediction<Label>> tribuo = bundle.model().predict(examples);
    double largest = 0;
    for (int i = 0; i < scored.size(); i++) {
      double expected = tribuo.get(i).getOutputScores().get(ModelScorer.FRAUD).getScore();
      largest = Math.max(largest, Math.abs(expected - scorer.probability(scored.get(i).features())));
      largest = Math.max(largest, Math.abs(expected - scorer.score(scored.get(i).features()).probability()));
    }
    return largest;
  }

  @Test
  void xgboostShouldScoreAsTribuoDoes(@TempDir Path dir) throws Exception {
    ModelBundle bundle = train("xgboost:trees=100,depth=6", training);
    CompiledTrees trees = CompiledTrees.compile(bundle.model(), bundle.manifest().features());
    assertNotNull(trees);
    assertEquals(200, trees.trees(), "one tree per class per round");
    assertTrue(bundle.version().startsWith("xgb-"), bundle.version());
    assertTrue(bundle.manifest().metrics().get("average_precision") > 0.5, bundle.manifest().metrics().toString());
    assertEquals(0, largestDifference(bundle), 1e-6);

    Path file = dir.resolve("xgb.bundle");
    bundle.save(file);
    assertEquals(0, largestDifference(ModelBundle.load(file)), 1e-6, "after a round trip through the file");
  }

  @Test
  void xgboostAttributionsShouldAddUpToTheLogOddsLessOneBias() {
    ModelBundle bundle = train("xgboost:trees=30,depth=4", training);
    ModelScorer scorer = new ModelScorer(bundle);
    double bias = Double.NaN;
    int withReasons = 0;
    for (FeatureRow row : scored.subList(0, 2_000)) {
      ModelScorer.Score score = scorer.score(row.features());
      double logOdds = Math.log(score.probability() / (1 - score.probability()));
      double rest = logOdds - Arrays.stream(score.contributions()).sum();
      if (Double.isNaN(bias)) {
        bias = rest;
      }
      // XGBoost keeps leaf values in single precision, so the sum agrees to about 6e-7 here; an
      // attribution that lost or doubled a split's share would be off by its size, 1e-2 or more.
      assertEquals(bias, rest, 1e-5, "the part of the log-odds no input explains must be the same for every payment");
      withReasons += Arrays.stream(score.contributions()).anyMatch(c -> c > 0) ? 1 : 0;
    }
    assertTrue(withReasons > 1_000, withReasons + " payments with a positive contribution");
  }

  @Test
  void tribuoTreesShouldScoreAsTribuoDoes(@TempDir Path dir) throws Exception {
    ModelBundle bundle = train("random-forest:trees=10,depth=6", training.subList(training.size() - 8_000, training.size()));
    assertTrue(bundle.version().startsWith("rf-"), bundle.version());
    assertEquals(10, CompiledTrees.compile(bundle.model(), bundle.manifest().features()).trees());
    assertEquals(0, largestDifference(bundle), 1e-6);
    Path file = dir.resolve("rf.bundle");
    bundle.save(file);
    assertEquals(0, largestDifference(ModelBundle.load(file)), 1e-6, "after a round trip through the file");
  }

  @Test
  void otherModelsShouldNotCompile() {
    ModelBundle linear = train("logistic", training);
    assertNull(CompiledTrees.compile(linear.model(), linear.manifest().features()));
  }
}
