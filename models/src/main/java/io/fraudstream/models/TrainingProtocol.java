package io.fraudstream.models;

import io.fraudstream.features.Feature;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Training and evaluation by time, without leakage from the future:
 * <ol>
 *   <li>with several candidate trainers, each is trained on the validation split (one test window
 *       earlier) and the one with the best average precision on its test window is chosen;</li>
 *   <li>the chosen trainer is trained on the training window; its thresholds are tuned on the
 *       window just before the test window (the validation split's test window);</li>
 *   <li>it is measured on the test window, beside the same trainer on the raw columns only, so
 *       that the value of the behavioural features shows;</li>
 *   <li>optionally, the same is repeated on earlier consecutive windows (prequential folds).</li>
 * </ol>
 */
public final class TrainingProtocol {

  private TrainingProtocol() {}

  /** A candidate trainer and its average precision on the validation split. */
  public record Candidate(String trainer, double validationAveragePrecision) {}

  /** One fold's split and its test metrics. */
  public record Fold(String split, Evaluation.Metrics metrics) {}

  /**
   * What a run produced: the bundle, how it was chosen, and its test metrics.
   *
   * @param split the windows, in words
   * @param selection the windows the candidate trainers were compared on, or null with one candidate
   * @param rawColumns metrics of the same trainer on the raw columns only, or null when not trained
   * @param trainingSeconds time to train the final model, or NaN for a model only evaluated
   * @param testScores the model's scores of the test window's payments, for curves
   * @param rawScores the raw-columns model's scores of the same payments, or null
   */
  public record Outcome(ModelBundle bundle, String split, String selection, List<Candidate> candidates, Evaluation.Metrics test,
                        Evaluation.Metrics rawColumns, List<Fold> folds, double trainingSeconds,
                        List<FeatureRow> testRows, double[] testScores, double[] rawScores) {}

  /** Measures an existing bundle on a window of rows, for a report without training. */
  public static Outcome evaluate(ModelBundle bundle, List<FeatureRow> testRows, String window) {
    if (testRows.isEmpty()) {
      throw new IllegalArgumentException("the test window " + window + " holds no payments; choose a window within the data");
    }
    double[] scores = scores(bundle, testRows);
    Evaluation.Metrics metrics = Evaluation.Metrics.of(testRows, scores, bundle.thresholds());
    return new Outcome(bundle, window, null, List.of(), metrics, null, List.of(new Fold(window, metrics)), Double.NaN, testRows, scores, null);
  }

  public static Outcome run(List<FeatureRow> rows, TimeSplit split, List<TrainerSpec> trainers, ModelTrainer.Settings settings,
      int folds) {
    if (trainers.isEmpty()) {
      throw new IllegalArgumentException("name at least one trainer");
    }
    if (folds < 1) {
      throw new IllegalArgumentException("folds must be at least 1, got " + folds);
    }
    withinData(rows, split);
    LocalDate firstDay = firstDay(rows);
    for (int f = 1; f < folds; f++) {
      if (split.earlier(f * split.testDays()).firstDayUsed().isBefore(firstDay)) {
        throw new IllegalArgumentException("--folds " + folds + " needs earlier windows than the data holds (it begins " + firstDay
            + "): at most " + f + " fit");
      }
    }
    TrainerSpec chosen = trainers.get(0);
    List<Candidate> candidates = new ArrayList<>();
    TimeSplit selection = trainers.size() > 1 ? selectionSplit(rows, split) : null;
    if (selection != null) {
      double best = Double.NEGATIVE_INFINITY;
      for (TrainerSpec trainer : trainers) {
        ModelBundle candidate = train(rows, selection, Set.copyOf(Feature.all()), settings.withTrainer(trainer));
        double averagePrecision = measure(candidate, window(selection.test(rows), "selection test", selection)).averagePrecision();
        candidates.add(new Candidate(trainer.toString(), averagePrecision));
        if (averagePrecision > best) {
          best = averagePrecision;
          chosen = trainer;
        }
      }
    }
    ModelTrainer.Settings chosenSettings = settings.withTrainer(chosen);
    long start = System.nanoTime();
    ModelBundle bundle = train(rows, split, Set.copyOf(Feature.all()), chosenSettings);
    double seconds = (System.nanoTime() - start) / 1e9;
    List<FeatureRow> testRows = window(split.test(rows), "test", split);
    double[] scores = scores(bundle, testRows);
    ModelBundle raw = train(rows, split, Feature.raw(), chosenSettings);
    double[] rawScores = scores(raw, testRows);

    List<Fold> foldMetrics = new ArrayList<>();
    foldMetrics.add(new Fold(split.toString(), Evaluation.Metrics.of(testRows, scores, bundle.thresholds())));
    for (int f = 1; f < folds; f++) {
      TimeSplit earlier = split.earlier(f * split.testDays());
      ModelBundle foldBundle = train(rows, earlier, Set.copyOf(Feature.all()), chosenSettings);
      foldMetrics.add(new Fold(earlier.toString(), measure(foldBundle, earlier.test(rows))));
    }
    return new Outcome(bundle, split.toString(), selection == null ? null : selection.toString(), candidates, foldMetrics.get(0).metrics(),
        Evaluation.Metrics.of(testRows, rawScores, raw.thresholds()), foldMetrics, seconds, testRows, scores, rawScores);
  }

  /** The split, once checked to lie within the rows' days (see {@link TimeSplit#requireWithin}). Rows in time order. */
  public static TimeSplit withinData(List<FeatureRow> rows, TimeSplit split) {
    return split.requireWithin(firstDay(rows), day(rows.get(rows.size() - 1)));
  }

  /** The split candidate trainers are compared on: see {@link TimeSplit#selection}. Rows in time order. */
  public static TimeSplit selectionSplit(List<FeatureRow> rows, TimeSplit split) {
    return split.selection(firstDay(rows));
  }

  private static LocalDate firstDay(List<FeatureRow> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no payments to train on");
    }
    return day(rows.get(0));
  }

  private static LocalDate day(FeatureRow row) {
    return row.transaction().timestamp().atOffset(ZoneOffset.UTC).toLocalDate();
  }

  /** Trains on the split's training window, with thresholds tuned on the window before its test window. */
  private static ModelBundle train(List<FeatureRow> rows, TimeSplit split, Set<Feature> inputs, ModelTrainer.Settings settings) {
    List<FeatureRow> training = window(split.training(rows), "training", split);
    List<FeatureRow> tuning = window(split.validation().test(rows), "threshold-tuning (the one before the test window)", split);
    return ModelTrainer.train(training, tuning, inputs, settings);
  }

  /** Scores and measures a bundle on rows. */
  public static Evaluation.Metrics measure(ModelBundle bundle, List<FeatureRow> rows) {
    return Evaluation.Metrics.of(rows, scores(bundle, rows), bundle.thresholds());
  }

  public static double[] scores(ModelBundle bundle, List<FeatureRow> rows) {
    ModelScorer scorer = new ModelScorer(bundle);
    return rows.stream().mapToDouble(row -> scorer.probability(row.features())).toArray();
  }

  private static List<FeatureRow> window(List<FeatureRow> rows, String name, TimeSplit split) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("the " + name + " window of '" + split + "' holds no payments; choose a split within the data");
    }
    return rows;
  }
}
