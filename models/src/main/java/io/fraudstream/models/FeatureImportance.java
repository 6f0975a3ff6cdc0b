package io.fraudstream.models;

import com.oracle.labs.mlrg.olcut.util.Pair;
import io.fraudstream.features.Feature;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.common.xgboost.XGBoostModel;

/**
 * What a model weighs most, for the training report: for XGBoost the average gain of the splits
 * on each feature; for a linear model how much one standard deviation of each feature moves the
 * fraud log-odds (signed: negative lowers the score) and, when it weighs value ranges, how much
 * each range moves them against the average payment (e.g. {@code 220.4 < amount}); for other
 * models Tribuo's own ranking.
 *
 * @param measure what the values are, in words
 * @param features the strongest first, by absolute value
 */
public record FeatureImportance(String measure, List<Entry> features) {

  /** One feature and its value under the measure. */
  public record Entry(String feature, double value) {}

  /** The {@code top} features of the bundle's model. */
  public static FeatureImportance of(ModelBundle bundle, int top) {
    Model<Label> model = bundle.model();
    List<Entry> entries = new ArrayList<>();
    String measure;
    if (model instanceof XGBoostModel<Label> trees) {
      measure = "gain (XGBoost, mean per split)";
      trees.getFeatureImportance().get(0).getGain().forEach((name, gain) -> entries.add(new Entry(name, gain)));
    } else if (model instanceof AbstractLinearSGDModel<Label>) {
      ModelScorer scorer = new ModelScorer(bundle);
      double[] weights = scorer.logOddsWeights();
      double[][] rangeWeights = scorer.rangeLogOdds();
      List<Feature> catalogue = Feature.all();
      List<String> features = bundle.manifest().features();
      for (int i = 0; i < weights.length; i++) {
        String name = catalogue.get(i).featureName();
        if (weights[i] != 0) {
          entries.add(new Entry(name, weights[i]));
        }
        for (int bin = 0; rangeWeights[i] != null && bin < rangeWeights[i].length; bin++) {
          entries.add(new Entry(bundle.manifest().bins().get(features.indexOf(name)).describe(name, bin), rangeWeights[i][bin]));
        }
      }
      measure = bundle.manifest().bins() == null ? "fraud log-odds per standard deviation (signed)"
          : "fraud log-odds per standard deviation of a feature, or of a value range against the average payment (signed)";
    } else {
      measure = "Tribuo's feature score for FRAUD";
      Map<String, List<Pair<String, Double>>> ranked = model.getTopFeatures(top);
      for (Pair<String, Double> pair : ranked.getOrDefault(ModelScorer.FRAUD, ranked.getOrDefault(Model.ALL_OUTPUTS, List.of()))) {
        entries.add(new Entry(pair.getA(), pair.getB()));
      }
    }
    entries.sort(Comparator.comparingDouble((Entry entry) -> Math.abs(entry.value())).reversed());
    return new FeatureImportance(measure, List.copyOf(entries.subList(0, Math.min(top, entries.size()))));
  }
}
