package io.fraudstream.models;

import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Sha256;
import io.fraudstream.features.TransactionJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains a model bundle from replayed feature rows.
 *
 * <p>The split is by time only: the earliest rows train the model and the latest
 * {@code validationShare} of them, which it never sees, give the metrics and the thresholds.
 * Inputs are standardised with the training rows' means and deviations. Frauds are rare, so each
 * fraud example is weighted by the legit-to-fraud ratio (capped at {@value #MAX_FRAUD_WEIGHT}).
 */
public final class ModelTrainer {

  static final double MAX_FRAUD_WEIGHT = 20;
  /** The most values one Java array holds, with the JVM's few reserved words to spare. */
  static final long MAX_MATRIX_CELLS = Integer.MAX_VALUE - 8;
  // Tribuo logs every epoch at INFO through java.util.logging; a strong reference keeps the level.
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  static {
    TRIBUO_LOG.setLevel(Level.WARNING);
  }

  /**
   * @param datasetName what the rows came from, recorded in the bundle
   * @param validationShare the latest share of rows held out for metrics and thresholds
   * @param challengeFpr the share of legitimate payments CHALLENGE may flag
   * @param blockPrecision the precision BLOCK must reach on held-out data
   * @param trainer the Tribuo trainer and its hyper-parameters
   * @param seed random seed of the trainer
   * @param labelDelay the label delay the rows were replayed with, recorded in the bundle so that
   *     serving computes entity risk the same way
   * @param reviewsPerDay when positive, CHALLENGE is set to analysts' capacity (this many payments a
   *     day on held-out data) instead of the false-positive budget
   */
  public record Settings(String datasetName, double validationShare, double challengeFpr, double blockPrecision,
                         TrainerSpec trainer, long seed, Duration labelDelay, double reviewsPerDay) {
    public Settings {
      EntityState.checkLabelDelay(labelDelay);
      if (!(validationShare > 0 && validationShare < 1)) {
        throw new IllegalArgumentException("validation share must be within (0, 1), got " + validationShare);
      }
      if (!(challengeFpr > 0 && challengeFpr < 1)) {
        throw new IllegalArgumentException("challenge false-positive budget must be within (0, 1), got " + challengeFpr);
      }
      if (!(blockPrecision > 0 && blockPrecision <= 1)) {
        throw new IllegalArgumentException("block precision must be within (0, 1], got " + blockPrecision);
      }
      Objects.requireNonNull(trainer, "trainer");
      if (reviewsPerDay < 0) {
        throw new IllegalArgumentException("reviews per day must not be negative, got " + reviewsPerDay);
      }
    }

    public static Settings defaults(String datasetName) {
      return new Settings(datasetName, 0.2, 0.01, 0.9, TrainerSpec.logistic(), 42, EntityState.DEFAULT_LABEL_DELAY, 0);
    }

    public Settings withLabelDelay(Duration delay) {
      return new Settings(datasetName, validationShare, challengeFpr, blockPrecision, trainer, seed, delay, reviewsPerDay);
    }

    public Settings withSeed(long trainerSeed) {
      return new Settings(datasetName, validationShare, challengeFpr, blockPrecision, trainer, trainerSeed, labelDelay, reviewsPerDay);
    }

    public Settings withTrainer(TrainerSpec spec) {
      return new Settings(datasetName, validationShare, challengeFpr, blockPrecision, spec, seed, labelDelay, reviewsPerDay);
    }

    /**
     * CHALLENGE at a false-positive budget, or at {@code reviews} payments a day when positive;
     * BLOCK at a precision floor.
     */
    public Settings withTargets(double challengeFalsePositiveRate, double reviews, double blockPrecisionFloor) {
      return new Settings(datasetName, validationShare, challengeFalsePositiveRate, blockPrecisionFloor, trainer, seed, labelDelay, reviews);
    }
  }

  private ModelTrainer() {}

  /**
   * Trains on rows in event-time order, as {@link OfflineReplay#replay} returns them: the latest
   * {@code validationShare} of them are held out.
   */
  public static ModelBundle train(List<FeatureRow> rows, Settings settings) {
    int split = (int) Math.floor(rows.size() * (1 - settings.validationShare()));
    return train(rows.subList(0, split), rows.subList(split, rows.size()), Set.copyOf(Feature.all()), settings);
  }

  /**
   * Trains on {@code training} and measures on {@code validation}, using only the {@code inputs}
   * features: the others are scaled by 1/infinity, so they are 0 in training and in serving
   * alike and the bundle still matches the extractor's feature list.
   */
  public static ModelBundle train(List<FeatureRow> training, List<FeatureRow> validation, Set<Feature> inputs,
      Settings settings) {
    long trainingFrauds = training.stream().filter(FeatureRow::fraud).count();
    if (trainingFrauds == 0 || trainingFrauds == training.size()) {
      throw new IllegalArgumentException("the training part (" + training.size() + " rows) must hold both fraud and legitimate payments");
    }
    if (validation.stream().noneMatch(FeatureRow::fraud)) {
      throw new IllegalArgumentException("the held-out part (" + validation.size() + " rows) holds no fraud; use more data");
    }
    Scaling scaling = scaling(training, inputs);
    float fraudWeight = (float) Math.min(MAX_FRAUD_WEIGHT, (training.size() - trainingFrauds) / (double) trainingFrauds);
    List<FeatureBins> bins = settings.trainer().bins() > 1 ? bins(training, inputs, fraudWeight, settings.trainer().bins()) : null;
    Model<Label> model = settings.trainer().build(settings.seed()).train(dataset(training, scaling, bins, fraudWeight, settings));
    List<FeatureRow> rows = new ArrayList<>(training);
    rows.addAll(validation);
    ModelBundle untuned = new ModelBundle(model, manifest(model, scaling, bins, fraudWeight, inputs, rows, settings));
    return tuneOnHeldOut(untuned, training, validation, settings);
  }

  /** Each feature's training mean and standard deviation; a feature not among the inputs scales to zero. */
  private record Scaling(double[] means, double[] stds) {}

  private static Scaling scaling(List<FeatureRow> training, Set<Feature> inputs) {
    int width = Feature.count();
    double[] means = new double[width];
    double[] stds = new double[width];
    scaling(training, means, stds);
    for (Feature feature : Feature.all()) {
      if (!inputs.contains(feature)) {
        means[feature.ordinal()] = 0;
        stds[feature.ordinal()] = Double.POSITIVE_INFINITY;
      }
    }
    return new Scaling(means, stds);
  }

  /** Each input feature's value ranges learnt from the training rows; one range for the others. */
  private static List<FeatureBins> bins(List<FeatureRow> training, Set<Feature> inputs, float fraudWeight, int maxBins) {
    boolean[] fraud = new boolean[training.size()];
    for (int row = 0; row < fraud.length; row++) {
      fraud[row] = training.get(row).fraud();
    }
    double[] values = new double[training.size()];
    List<FeatureBins> bins = new ArrayList<>();
    for (Feature feature : Feature.all()) {
      if (!inputs.contains(feature)) {
        bins.add(FeatureBins.none());
        continue;
      }
      for (int row = 0; row < values.length; row++) {
        values[row] = training.get(row).features().get(feature);
      }
      bins.add(FeatureBins.learn(values, fraud, fraudWeight, maxBins));
    }
    return List.copyOf(bins);
  }

  /**
   * The training rows as one matrix of standardised values (see {@link FeatureMatrixDataset}),
   * with each value's range when there are {@code bins}, frauds weighted up.
   */
  private static FeatureMatrixDataset dataset(List<FeatureRow> training, Scaling scaling, List<FeatureBins> bins, float fraudWeight,
      Settings settings) {
    int width = Feature.count();
    long cells = (long) training.size() * width;
    if (cells > MAX_MATRIX_CELLS) {
      throw new IllegalArgumentException("the training window holds " + training.size() + " payments; one training matrix holds at most "
          + MAX_MATRIX_CELLS / width + " of " + width + " features: train on fewer days (--train-days)");
    }
    float[] values = new float[(int) cells];
    byte[] binOfCell = bins == null ? null : new byte[(int) cells];
    boolean[] fraud = new boolean[training.size()];
    for (int row = 0; row < fraud.length; row++) {
      FeatureRow payment = training.get(row);
      for (int i = 0; i < width; i++) {
        double value = payment.features().get(i);
        values[row * width + i] = (float) ModelScorer.standardise(value, scaling.means()[i], scaling.stds()[i]);
        if (binOfCell != null) {
          binOfCell[row * width + i] = (byte) bins.get(i).binOf(value);
        }
      }
      fraud[row] = payment.fraud();
    }
    return new FeatureMatrixDataset(new SimpleDataSourceProvenance(settings.datasetName(), OffsetDateTime.now(ZoneOffset.UTC),
        new LabelFactory()), Feature.names(), values, fraud, fraudWeight, binOfCell, bins);
  }

  /** The bundle's manifest before its thresholds are tuned: version, provenance, scaling, value ranges and dataset. */
  private static ModelBundle.Manifest manifest(Model<Label> model, Scaling scaling, List<FeatureBins> bins, float fraudWeight,
      Set<Feature> inputs, List<FeatureRow> rows, Settings settings) {
    byte[] modelBytes;
    try {
      modelBytes = ModelBundle.modelBytes(model);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ModelBundle.Manifest(ModelBundle.FORMAT_VERSION,
        settings.trainer().versionPrefix() + "-" + ModelBundle.contentHash(modelBytes), Instant.now().toString(),
        "Tribuo " + settings.trainer() + ", seed " + settings.seed() + ", fraud weight " + fraudWeight
            + (inputs.size() == Feature.count() ? "" : ", " + inputs.size() + " of " + Feature.count() + " features"),
        Feature.names(), scaling.means(), scaling.stds(), new Thresholds(0.5, 0.5), Map.of(), datasetInfo(settings.datasetName(), rows),
        (int) settings.labelDelay().toDays(), bins, null);
  }

  /** Tunes the CHALLENGE and BLOCK thresholds on the held-out rows and records how the bundle does there. */
  private static ModelBundle tuneOnHeldOut(ModelBundle untuned, List<FeatureRow> training, List<FeatureRow> validation, Settings settings) {
    ModelScorer scorer = new ModelScorer(untuned);
    double[] scores = new double[validation.size()];
    boolean[] isFraud = new boolean[validation.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = scorer.probability(validation.get(i).features());
      isFraud[i] = validation.get(i).fraud();
    }
    Thresholds thresholds = settings.reviewsPerDay() > 0
        ? Thresholds.tuneForCapacity(scores, isFraud, dayOfEach(validation), settings.reviewsPerDay(), settings.blockPrecision(), 5)
        : Thresholds.tune(scores, isFraud, settings.challengeFpr(), settings.blockPrecision(), 5);
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (settings.reviewsPerDay() > 0) {
      metrics.put("target_reviews_per_day", settings.reviewsPerDay());
    } else {
      metrics.put("target_challenge_false_positive_rate", settings.challengeFpr());
    }
    metrics.put("target_block_precision", settings.blockPrecision());
    metrics.put("training_rows", (double) training.size());
    metrics.put("validation_rows", (double) validation.size());
    metrics.put("validation_frauds", (double) countTrue(isFraud));
    metrics.put("auc_roc", Evaluation.auc(scores, isFraud));
    metrics.put("average_precision", Evaluation.averagePrecision(scores, isFraud));
    putConfusion(metrics, "challenge", Evaluation.at(scores, isFraud, thresholds.challenge()));
    putConfusion(metrics, "block", Evaluation.at(scores, isFraud, thresholds.block()));
    return untuned.withThresholds(thresholds).withMetrics(metrics).withReference(reference(training, scores, isFraud));
  }

  /** The training rows' feature histograms, and the held-out scores' histogram and deciles. */
  private static DriftReference reference(List<FeatureRow> training, double[] heldOutScores, boolean[] heldOutFraud) {
    List<DriftReference.Histogram> features = new ArrayList<>();
    double[] column = new double[training.size()];
    for (int i = 0; i < Feature.count(); i++) {
      for (int row = 0; row < column.length; row++) {
        column[row] = training.get(row).features().get(i);
      }
      features.add(DriftReference.Histogram.of(column));
    }
    return new DriftReference(features, DriftReference.Histogram.of(heldOutScores), DriftReference.deciles(heldOutScores, heldOutFraud));
  }

  private static void putConfusion(Map<String, Double> metrics, String tier, Evaluation.Confusion confusion) {
    metrics.put(tier + "_precision", confusion.precision());
    metrics.put(tier + "_recall", confusion.recall());
    metrics.put(tier + "_false_positive_rate", confusion.falsePositiveRate());
  }

  /** The UTC days the rows span, at least one. */
  private static long[] dayOfEach(List<FeatureRow> rows) {
    return rows.stream().mapToLong(row -> Math.floorDiv(row.transaction().timestamp().toEpochMilli(), 86_400_000L)).toArray();
  }

  private static long countTrue(boolean[] values) {
    long count = 0;
    for (boolean value : values) {
      count += value ? 1 : 0;
    }
    return count;
  }

  private static void scaling(List<FeatureRow> rows, double[] means, double[] stds) {
    int width = means.length;
    double[] sums = new double[width];
    double[] squares = new double[width];
    for (FeatureRow row : rows) {
      for (int i = 0; i < width; i++) {
        double value = row.features().get(Feature.all().get(i));
        sums[i] += value;
        squares[i] += value * value;
      }
    }
    for (int i = 0; i < width; i++) {
      means[i] = sums[i] / rows.size();
      double variance = Math.max(0, squares[i] / rows.size() - means[i] * means[i]);
      double std = Math.sqrt(variance);
      // A feature that never varied in training carries no information; scale 1 keeps it finite.
      stds[i] = std > 1e-9 ? std : 1;
    }
  }

  private static ModelBundle.DatasetInfo datasetInfo(String name, List<FeatureRow> rows) {
    MessageDigest digest = Sha256.newDigest();
    long frauds = 0;
    for (FeatureRow row : rows) {
      digest.update(TransactionJson.write(row.transaction()));
      frauds += row.fraud() ? 1 : 0;
    }
    String from = rows.isEmpty() ? null : rows.get(0).transaction().timestamp().toString();
    String to = rows.isEmpty() ? null : rows.get(rows.size() - 1).transaction().timestamp().toString();
    return new ModelBundle.DatasetInfo(name, rows.size(), frauds, HexFormat.of().formatHex(digest.digest()), from, to);
  }
}
