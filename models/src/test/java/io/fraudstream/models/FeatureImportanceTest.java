package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Feature;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FeatureImportanceTest {

  private static final byte[] SECRET = "feature-importance-secret".getBytes(StandardCharsets.UTF_8);
  private static List<FeatureRow> training;
  private static List<FeatureRow> validation;

  @BeforeAll
  static void replay() {
    List<FeatureRow> history = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 20, 7)), SECRET);
    int split = history.size() * 4 / 5;
    training = history.subList(0, split);
    validation = history.subList(split, history.size());
  }

  private static ModelBundle train(String trainer, Set<Feature> inputs) {
    return ModelTrainer.train(training, validation, inputs,
        ModelTrainer.Settings.defaults("synthetic seed 7").withTrainer(TrainerSpec.parse(trainer)));
  }

  @Test
  void shouldRankXgboostFeaturesByGainAmongTheInputsOnly() {
    Set<Feature> inputs = Set.of(Feature.AMOUNT, Feature.AMOUNT_TO_MEAN_RATIO, Feature.NEW_DEVICE, Feature.TX_COUNT_1M,
        Feature.NEW_MERCHANT);
    FeatureImportance importance = FeatureImportance.of(train("xgboost:trees=20,depth=4", inputs), 15);

    assertTrue(importance.measure().startsWith("gain"), importance.measure());
    assertTrue(!importance.features().isEmpty() && importance.features().size() <= inputs.size(), importance.toString());
    Set<String> inputNames = Set.copyOf(inputs.stream().map(Feature::featureName).toList());
    for (FeatureImportance.Entry entry : importance.features()) {
      // A feature left out of the inputs is standardised to zero: no split can use it.
      assertTrue(inputNames.contains(entry.feature()), entry + " is not an input");
      assertTrue(entry.value() > 0, entry + " has no gain");
    }
    assertSortedByMagnitude(importance);
  }

  @Test
  void shouldGiveALinearModelsSignedWeightsPerStandardDeviation() {
    ModelBundle bundle = train("logistic", Set.copyOf(Feature.all()));
    FeatureImportance importance = FeatureImportance.of(bundle, 15);

    assertTrue(importance.measure().startsWith("fraud log-odds"), importance.measure());
    assertEquals(15, importance.features().size());
    double[] weights = new ModelScorer(bundle).logOddsWeights();
    for (FeatureImportance.Entry entry : importance.features()) {
      assertEquals(weights[Feature.byName(entry.feature()).ordinal()], entry.value(), 0.0, entry.toString());
    }
    assertSortedByMagnitude(importance);
  }

  @Test
  void shouldGiveTheWeightsOfALinearModelsValueRangesInWords() {
    ModelBundle bundle = train("logistic:bins=4", Set.copyOf(Feature.all()));
    FeatureImportance importance = FeatureImportance.of(bundle, 200);
    ModelScorer scorer = new ModelScorer(bundle);
    double[] weights = scorer.logOddsWeights();
    double[][] rangeWeights = scorer.rangeLogOdds();
    int ranges = 0;
    for (FeatureImportance.Entry entry : importance.features()) {
      if (!entry.feature().contains("<")) {
        assertEquals(weights[Feature.byName(entry.feature()).ordinal()], entry.value(), 0.0, entry.toString());
        continue;
      }
      // "a < name <= b": the value is that range's weight against the average payment.
      String name = entry.feature().replaceAll("^[^ ]+ < ", "").replaceAll(" <= .*$", "");
      Feature feature = Feature.byName(name);
      FeatureBins bins = bundle.manifest().bins().get(feature.ordinal());
      int bin = IntStream.range(0, bins.count()).filter(b -> bins.describe(name, b).equals(entry.feature())).findFirst()
          .orElseThrow(() -> new AssertionError(entry + " names no range of " + name));
      assertEquals(rangeWeights[feature.ordinal()][bin], entry.value(), 0.0, entry.toString());
      ranges++;
    }
    assertTrue(ranges > 10, importance.toString());
    assertTrue(importance.measure().contains("value range"), importance.measure());
    assertSortedByMagnitude(importance);
  }

  private static void assertSortedByMagnitude(FeatureImportance importance) {
    List<FeatureImportance.Entry> features = importance.features();
    for (int i = 1; i < features.size(); i++) {
      assertTrue(Math.abs(features.get(i - 1).value()) >= Math.abs(features.get(i).value()), importance.toString());
    }
  }
}
