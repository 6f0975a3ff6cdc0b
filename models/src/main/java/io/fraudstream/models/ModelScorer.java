package io.fraudstream.models;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;

/**
 * Scores feature vectors with a bundle's model and says how much each feature pushed the score,
 * so that decisions can give their reasons in order of weight. Tree ensembles are scored by
 * {@link CompiledTrees}, equal to Tribuo's predictions and many times faster; other models by
 * Tribuo.
 *
 * <p>Thread-safe: it holds no mutable state.
 */
public final class ModelScorer {

  /** The label Tribuo predicts for fraud. */
  public static final String FRAUD = "FRAUD";
  /** The label Tribuo predicts for legitimate payments. */
  public static final String LEGIT = "LEGIT";

  private final Model<Label> model;
  /** Feature names in alphabetical order, and where each sits in the vector: Tribuo sorts an
   * example's names on construction, which costs little when they already are. */
  private final String[] sortedNames;
  private final int[] sortedPositions;
  /** Where each of the bundle's features sits in the catalogue: a bundle made before features
   * were added scores on its own, by name. */
  private final int[] cataloguePositions;
  private final boolean inCatalogueOrder;
  private final double[] means;
  private final double[] stds;
  /** Per feature, how much one standard deviation moves the fraud log-odds; zero if unknown. */
  private final double[] logOddsWeights;
  /** A tree ensemble scored in plain Java, or null for other models, which Tribuo scores. */
  private final CompiledTrees trees;

  /** A score with per-feature contributions to the fraud log-odds, in catalogue order. */
  public record Score(double probability, double[] contributions) {}

  public ModelScorer(ModelBundle bundle) {
    this.model = bundle.model();
    ModelBundle.Manifest manifest = bundle.manifest();
    List<String> features = manifest.features();
    this.sortedPositions = IntStream.range(0, features.size()).boxed()
        .sorted(Comparator.comparing(features::get)).mapToInt(Integer::intValue).toArray();
    this.sortedNames = Arrays.stream(sortedPositions).mapToObj(features::get).toArray(String[]::new);
    this.cataloguePositions = features.stream().mapToInt(name -> Feature.byName(name).ordinal()).toArray();
    this.inCatalogueOrder = Arrays.equals(cataloguePositions, IntStream.range(0, Feature.count()).toArray());
    this.means = manifest.means().clone();
    this.stds = manifest.stds().clone();
    this.logOddsWeights = logOddsWeights(model, manifest.features());
    this.trees = CompiledTrees.compile(model, features);
  }

  /**
   * For a linear model over FRAUD and LEGIT, how much one standard deviation of each feature moves
   * the fraud log-odds, in catalogue order; all zero for other models.
   */
  public double[] logOddsWeights() {
    return inCatalogueOrder(logOddsWeights.clone());
  }

  /**
   * Values of the bundle's features placed at their features' places in the catalogue, 0 for
   * the others: the array itself when the bundle has the catalogue's features in its order.
   */
  private double[] inCatalogueOrder(double[] ofBundleFeatures) {
    if (inCatalogueOrder) {
      return ofBundleFeatures;
    }
    double[] catalogue = new double[Feature.count()];
    for (int i = 0; i < ofBundleFeatures.length; i++) {
      catalogue[cataloguePositions[i]] = ofBundleFeatures[i];
    }
    return catalogue;
  }

  /** Scores one payment's features. */
  public Score score(FeatureVector features) {
    double[] standardised = standardised(features);
    double[] contributions = new double[standardised.length];
    if (trees != null) {
      // XGBoost gives path attributions; forests none, and the decision then ranks no reasons.
      double probability = trees.fraudProbability(standardised, contributions);
      return new Score(probability, inCatalogueOrder(contributions));
    }
    for (int i = 0; i < contributions.length; i++) {
      contributions[i] = logOddsWeights[i] * standardised[i];
    }
    Prediction<Label> prediction = model.predict(example(standardised));
    Label fraud = prediction.getOutputScores().get(FRAUD);
    double probability = fraud == null ? 0 : fraud.getScore();
    return new Score(probability, inCatalogueOrder(contributions));
  }

  /**
   * The probability of fraud alone, without contributions: for evaluation, where only the
   * ranking matters.
   */
  public double probability(FeatureVector features) {
    return trees != null ? trees.fraudProbability(standardised(features)) : score(features).probability();
  }

  private double[] standardised(FeatureVector features) {
    double[] standardised = new double[means.length];
    for (int i = 0; i < standardised.length; i++) {
      standardised[i] = standardise(features.get(cataloguePositions[i]), means[i], stds[i]);
    }
    return standardised;
  }

  /** The payment as the Tribuo example the model was trained on: standardised, in Tribuo's (alphabetical) order. */
  public ArrayExample<Label> example(FeatureVector features) {
    return example(standardised(features));
  }

  private ArrayExample<Label> example(double[] standardised) {
    double[] sortedValues = new double[sortedPositions.length];
    for (int i = 0; i < sortedValues.length; i++) {
      sortedValues[i] = standardised[sortedPositions[i]];
    }
    return new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, sortedNames, sortedValues);
  }

  /** (value - mean) / std: the one scaling of training and scoring. */
  static double standardise(double value, double mean, double std) {
    return (value - mean) / std;
  }

  /**
   * For a linear model over FRAUD and LEGIT, the fraud log-odds are the difference of the two
   * rows of weights; other models give no contributions (all zero).
   */
  private static double[] logOddsWeights(Model<Label> model, List<String> features) {
    double[] weights = new double[features.size()];
    if (!(model instanceof AbstractLinearSGDModel<Label> linear)) {
      return weights;
    }
    int fraudRow = model.getOutputIDInfo().getID(new Label(FRAUD));
    int legitRow = model.getOutputIDInfo().getID(new Label(LEGIT));
    if (fraudRow < 0 || legitRow < 0) {
      return weights;
    }
    DenseMatrix matrix = linear.getWeightsCopy();
    for (int i = 0; i < features.size(); i++) {
      VariableInfo info = model.getFeatureIDMap().get(features.get(i));
      if (info != null) {
        int column = model.getFeatureIDMap().getID(features.get(i));
        weights[i] = matrix.get(fraudRow, column) - matrix.get(legitRow, column);
      }
    }
    return weights;
  }
}
