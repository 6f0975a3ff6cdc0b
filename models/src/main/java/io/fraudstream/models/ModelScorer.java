package io.fraudstream.models;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;

/**
 * Scores feature vectors with a bundle's model and says how much each feature pushed the score,
 * so that decisions can give their reasons in order of weight. Tree ensembles are scored by
 * {@link CompiledTrees}, and logistic regression from its weights, both equal to Tribuo's
 * predictions and many times faster; other models by Tribuo.
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
  /** Per feature, its value ranges, or null when the model weighs none (see {@link FeatureBins}). */
  private final FeatureBins[] bins;
  /** Per feature and range, the range's indicator name, and how its weight moves the fraud
   * log-odds against the training payments' average; null where a feature has one range. */
  private final String[][] indicatorNames;
  private final double[][] rangeLogOdds;
  /** For logistic regression over FRAUD and LEGIT, the fraud log-odds when every contribution is
   * zero, so that the log-odds are this plus the contributions; NaN for other models. */
  private final double baseLogOdds;

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
    LinearWeights linear = LinearWeights.of(model);
    this.logOddsWeights = features.stream().mapToDouble(linear::logOdds).toArray();
    this.trees = CompiledTrees.compile(model, features);
    this.bins = manifest.bins() == null ? null : manifest.bins().toArray(FeatureBins[]::new);
    this.indicatorNames = new String[features.size()][];
    this.rangeLogOdds = new double[features.size()][];
    double base = linear.bias();
    for (int i = 0; bins != null && i < features.size(); i++) {
      if (bins[i].count() > 1) {
        indicatorNames[i] = new String[bins[i].count()];
        rangeLogOdds[i] = new double[bins[i].count()];
        double average = 0;
        for (int bin = 0; bin < bins[i].count(); bin++) {
          indicatorNames[i][bin] = FeatureBins.indicatorName(features.get(i), bin);
          rangeLogOdds[i][bin] = linear.logOdds(indicatorNames[i][bin]);
          average += bins[i].shares()[bin] * rangeLogOdds[i][bin];
        }
        for (int bin = 0; bin < bins[i].count(); bin++) {
          rangeLogOdds[i][bin] -= average;
        }
        base += average;
      }
    }
    this.baseLogOdds = base;
  }

  /**
   * For a linear model over FRAUD and LEGIT, how much one standard deviation of each feature moves
   * the fraud log-odds, in catalogue order; all zero for other models.
   */
  public double[] logOddsWeights() {
    return inCatalogueOrder(logOddsWeights.clone());
  }

  /**
   * For a linear model over value ranges, per feature in catalogue order, how much each of its
   * ranges moves the fraud log-odds against the training payments' average; null for a feature
   * of one range, and all null for other models.
   */
  public double[][] rangeLogOdds() {
    double[][] catalogue = new double[Feature.count()][];
    for (int i = 0; i < rangeLogOdds.length; i++) {
      catalogue[cataloguePositions[i]] = rangeLogOdds[i] == null ? null : rangeLogOdds[i].clone();
    }
    return catalogue;
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
    int[] ranges = ranges(features);
    for (int i = 0; i < contributions.length; i++) {
      contributions[i] = logOddsWeights[i] * standardised[i] + (rangeLogOdds[i] == null ? 0 : rangeLogOdds[i][ranges[i]]);
    }
    double probability;
    if (Double.isNaN(baseLogOdds)) {
      Prediction<Label> prediction = model.predict(example(standardised, ranges));
      Label fraud = prediction.getOutputScores().get(FRAUD);
      probability = fraud == null ? 0 : fraud.getScore();
    } else {
      // Tribuo's softmax over two labels is the logistic function of their difference.
      double logOdds = baseLogOdds;
      for (double contribution : contributions) {
        logOdds += contribution;
      }
      probability = 1 / (1 + Math.exp(-logOdds));
    }
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

  /** Each feature's value range, or null when the model weighs no ranges. */
  private int[] ranges(FeatureVector features) {
    if (bins == null) {
      return null;
    }
    int[] ranges = new int[bins.length];
    for (int i = 0; i < ranges.length; i++) {
      ranges[i] = bins[i].binOf(features.get(cataloguePositions[i]));
    }
    return ranges;
  }

  /**
   * The payment as the Tribuo example the model was trained on: standardised, in Tribuo's
   * (alphabetical) order, with a 1 for the indicator of each feature's value range if the model
   * weighs ranges.
   */
  public ArrayExample<Label> example(FeatureVector features) {
    return example(standardised(features), ranges(features));
  }

  private ArrayExample<Label> example(double[] standardised, int[] ranges) {
    if (ranges == null) {
      double[] sortedValues = new double[sortedPositions.length];
      for (int i = 0; i < sortedValues.length; i++) {
        sortedValues[i] = standardised[sortedPositions[i]];
      }
      return new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, sortedNames, sortedValues);
    }
    String[] names = Arrays.copyOf(sortedNames, sortedNames.length + bins.length);
    double[] values = new double[names.length];
    for (int i = 0; i < sortedPositions.length; i++) {
      values[i] = standardised[sortedPositions[i]];
    }
    int present = sortedNames.length;
    for (int i = 0; i < ranges.length; i++) {
      if (indicatorNames[i] != null) {
        names[present] = indicatorNames[i][ranges[i]];
        values[present++] = 1;
      }
    }
    // Tribuo sorts the names, the indicators among the features, on construction.
    return new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, Arrays.copyOf(names, present), Arrays.copyOf(values, present));
  }

  /** (value - mean) / std: the one scaling of training and scoring. */
  static double standardise(double value, double mean, double std) {
    return (value - mean) / std;
  }

  /**
   * For a linear model over FRAUD and LEGIT, the fraud log-odds are the difference of the two
   * rows of weights; Tribuo keeps the bias in the column after the features'.
   *
   * @param weights null for other models, which then weigh every name zero and have no bias
   */
  private record LinearWeights(DenseMatrix weights, int fraudRow, int legitRow, ImmutableFeatureMap ids) {

    static LinearWeights of(Model<Label> model) {
      int fraudRow = model.getOutputIDInfo().getID(new Label(FRAUD));
      int legitRow = model.getOutputIDInfo().getID(new Label(LEGIT));
      if (!(model instanceof AbstractLinearSGDModel<Label> linear) || fraudRow < 0 || legitRow < 0
          || model.getOutputIDInfo().size() != 2) {
        return new LinearWeights(null, -1, -1, model.getFeatureIDMap());
      }
      return new LinearWeights(linear.getWeightsCopy(), fraudRow, legitRow, model.getFeatureIDMap());
    }

    /** The weight of a feature, zero for a name the model does not know. */
    double logOdds(String name) {
      int column = ids.getID(name);
      return weights == null || column < 0 ? 0 : difference(column);
    }

    /** The bias, NaN for a model that is not linear. */
    double bias() {
      return weights == null ? Double.NaN : difference(ids.size());
    }

    private double difference(int column) {
      return weights.get(fraudRow, column) - weights.get(legitRow, column);
    }
  }
}
