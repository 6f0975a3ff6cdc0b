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
 * fraud log-odds (signed: negative lowers the score); for other models Tribuo's own ranking.
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
      measure = "fraud log-odds per standard deviation (signed)";
      double[] weights = new ModelScorer(bundle).logOddsWeights();
      List<Feature> catalogue = Feature.all();
      for (int i = 0; i < weights.length; i++) {
        if (weights[i] != 0) {
          entries.add(new Entry(catalogue.get(i).featureName(), weights[i]));
        }
      }
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
