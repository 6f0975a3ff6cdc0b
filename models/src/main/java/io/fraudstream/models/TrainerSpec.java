package io.fraudstream.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.dtree.impurity.GiniIndex;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.math.optimisers.AdaGrad;

/**
 * Which Tribuo trainer to use and with which hyper-parameters, written as
 * {@code algorithm[:name=value,...]}, e.g. {@code xgboost:trees=200,depth=6,eta=0.1}. Unnamed
 * parameters take the defaults below.
 *
 * <ul>
 *   <li>{@code logistic}: logistic regression by SGD with AdaGrad: {@code epochs} 5, {@code rate} 0.1,
 *       {@code bins} 1 (value ranges per feature, each with a weight of its own beside the
 *       feature's slope, see {@link FeatureBins}; 1 for the slope alone).</li>
 *   <li>{@code random-forest}: CART trees on bootstrap samples, leaf distributions averaged:
 *       {@code trees} 100, {@code depth} 8, {@code features} 0.5 (share tried per split),
 *       {@code min-weight} 5.</li>
 *   <li>{@code xgboost}: gradient-boosted trees, histogram method: {@code trees} 100,
 *       {@code depth} 6, {@code eta} 0.1, {@code subsample} 0.8, {@code colsample} 0.8,
 *       {@code min-weight} 1, {@code lambda} 1, {@code threads} 2.</li>
 * </ul>
 */
public record TrainerSpec(Algorithm algorithm, Map<String, Double> params) {

  /** Value ranges per feature at most: more would each learn from too few payments. */
  static final int MAX_BINS = 64;

  /** The trainers, each with a short name used in model versions. */
  public enum Algorithm {
    LOGISTIC("logistic", "lr", Map.of("epochs", 5.0, "rate", 0.1, "bins", 1.0)),
    RANDOM_FOREST("random-forest", "rf", Map.of("trees", 100.0, "depth", 8.0, "features", 0.5, "min-weight", 5.0)),
    XGBOOST("xgboost", "xgb", Map.of("trees", 100.0, "depth", 6.0, "eta", 0.1, "subsample", 0.8, "colsample", 0.8,
        "min-weight", 1.0, "lambda", 1.0, "threads", 2.0));

    final String externalName;
    final String versionPrefix;
    final Map<String, Double> defaults;

    Algorithm(String externalName, String versionPrefix, Map<String, Double> defaults) {
      this.externalName = externalName;
      this.versionPrefix = versionPrefix;
      this.defaults = new TreeMap<>(defaults);
    }
  }

  public TrainerSpec {
    Map<String, Double> all = new TreeMap<>(algorithm.defaults);
    for (Map.Entry<String, Double> param : params.entrySet()) {
      if (!algorithm.defaults.containsKey(param.getKey())) {
        throw new IllegalArgumentException(algorithm.externalName + " has no parameter '" + param.getKey() + "'; it has "
            + algorithm.defaults.keySet());
      }
      if (!(param.getValue() > 0) || !Double.isFinite(param.getValue())) {
        throw new IllegalArgumentException(algorithm.externalName + " parameter " + param.getKey() + " must be a positive number, got "
            + param.getValue());
      }
      all.put(param.getKey(), param.getValue());
    }
    Double bins = all.get("bins");
    if (bins != null && (bins != Math.rint(bins) || bins > MAX_BINS)) {
      throw new IllegalArgumentException(algorithm.externalName + " parameter bins must be a whole number from 1 to " + MAX_BINS + ", got " + format(bins));
    }
    params = Collections.unmodifiableMap(all);
  }

  public static TrainerSpec logistic() {
    return new TrainerSpec(Algorithm.LOGISTIC, Map.of());
  }

  /** Reads {@code algorithm[:name=value,...]}, or says what is wrong. */
  public static TrainerSpec parse(String text) {
    String[] parts = text.trim().split(":", 2);
    Algorithm algorithm = null;
    for (Algorithm candidate : Algorithm.values()) {
      if (candidate.externalName.equals(parts[0].toLowerCase(Locale.ROOT))) {
        algorithm = candidate;
      }
    }
    if (algorithm == null) {
      throw new IllegalArgumentException("unknown trainer '" + parts[0] + "'; use logistic, random-forest or xgboost");
    }
    Map<String, Double> params = new LinkedHashMap<>();
    if (parts.length > 1 && !parts[1].isBlank()) {
      for (String pair : parts[1].split(",")) {
        String[] nameValue = pair.split("=", 2);
        if (nameValue.length != 2) {
          throw new IllegalArgumentException("trainer parameter '" + pair + "' is not name=value");
        }
        try {
          params.put(nameValue[0].trim(), Double.parseDouble(nameValue[1].trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("trainer parameter " + nameValue[0].trim() + " must be a number, got '" + nameValue[1].trim() + "'");
        }
      }
    }
    return new TrainerSpec(algorithm, params);
  }

  /**
   * A small grid around this trainer for hyper-parameter search: for logistic regression the
   * learning rate (0.03, 0.1, 0.3), each with the slope alone and with 4 value ranges a
   * feature; for random forests the depth (6, 10); for XGBoost the depth (4, 6) and the learning
   * rate eta (0.05, 0.1, 0.3). Other parameters stay as given.
   */
  public List<TrainerSpec> grid() {
    List<Map<String, Double>> variations = switch (algorithm) {
      case LOGISTIC -> List.of(Map.of("rate", 0.03, "bins", 1.0), Map.of("rate", 0.1, "bins", 1.0), Map.of("rate", 0.3, "bins", 1.0),
          Map.of("rate", 0.03, "bins", 4.0), Map.of("rate", 0.1, "bins", 4.0), Map.of("rate", 0.3, "bins", 4.0));
      case RANDOM_FOREST -> List.of(Map.of("depth", 6.0), Map.of("depth", 10.0));
      case XGBOOST -> List.of(Map.of("depth", 4.0, "eta", 0.05), Map.of("depth", 4.0, "eta", 0.1), Map.of("depth", 4.0, "eta", 0.3),
          Map.of("depth", 6.0, "eta", 0.05), Map.of("depth", 6.0, "eta", 0.1), Map.of("depth", 6.0, "eta", 0.3));
    };
    List<TrainerSpec> grid = new ArrayList<>();
    for (Map<String, Double> variation : variations) {
      Map<String, Double> variant = new TreeMap<>(params);
      variant.putAll(variation);
      grid.add(new TrainerSpec(algorithm, variant));
    }
    return grid;
  }

  /** The prefix of the versions of models this trainer makes. */
  String versionPrefix() {
    return algorithm.versionPrefix;
  }

  /** How many value ranges per feature the trainer weighs apart: 1 (none) but for logistic regression. */
  int bins() {
    return params.containsKey("bins") ? integer("bins") : 1;
  }

  private int integer(String name) {
    return (int) Math.round(params.get(name));
  }

  /** The Tribuo trainer, seeded. */
  Trainer<Label> build(long seed) {
    return switch (algorithm) {
      case LOGISTIC -> new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(params.get("rate"), 0.1), integer("epochs"),
          Integer.MAX_VALUE, 1, seed);
      case RANDOM_FOREST -> new RandomForestTrainer<>(
          new CARTClassificationTrainer(integer("depth"), params.get("min-weight").floatValue(), 0.0f,
              params.get("features").floatValue(), false, new GiniIndex(), seed),
          new FullyWeightedVotingCombiner(), integer("trees"), seed);
      case XGBOOST -> new DenseXGBoostTrainer(integer("trees"), params.get("eta"), integer("depth"), params.get("min-weight"),
          params.get("subsample"), params.get("colsample"), params.get("lambda"), integer("threads"), seed);
    };
  }

  /** A parameter as it is written: a whole number without a decimal point. */
  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(algorithm.externalName).append(':');
    params.forEach((name, value) -> text.append(name).append('=').append(format(value)).append(','));
    text.setLength(text.length() - 1);
    return text.toString();
  }
}
