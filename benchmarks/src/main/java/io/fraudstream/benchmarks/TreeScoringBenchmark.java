package io.fraudstream.benchmarks;

import io.fraudstream.features.Feature;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.TrainerSpec;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * Scoring one payment with a 100-tree model: compiled to arrays in plain Java
 * ({@code ModelScorer}), against Tribuo's own prediction of the same model, for XGBoost and for a
 * Tribuo random forest.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TreeScoringBenchmark {

  private ModelBundle xgboost;
  private ModelBundle forest;
  private ModelScorer xgboostScorer;
  private ModelScorer forestScorer;

  @Setup(Level.Trial)
  public void setUp(SyntheticPayments payments) {
    List<FeatureRow> rows = payments.rows();
    int split = rows.size() * 4 / 5;
    List<FeatureRow> training = rows.subList(0, split);
    List<FeatureRow> validation = rows.subList(split, rows.size());
    ModelTrainer.Settings settings = ModelTrainer.Settings.defaults("benchmark");
    xgboost = ModelTrainer.train(training, validation, Set.copyOf(Feature.all()),
        settings.withTrainer(TrainerSpec.parse("xgboost:trees=100,depth=6")));
    // Tribuo's CART is slow to train on many rows; the forest's size, not its data, is what is measured.
    forest = ModelTrainer.train(training.subList(training.size() - 8_000, training.size()), validation, Set.copyOf(Feature.all()),
        settings.withTrainer(TrainerSpec.parse("random-forest:trees=100,depth=8")));
    xgboostScorer = new ModelScorer(xgboost);
    forestScorer = new ModelScorer(forest);
  }

  @Benchmark
  public double xgboostCompiled(SyntheticPayments payments) {
    return xgboostScorer.probability(payments.nextFeatures());
  }

  /** With the path attributions a decision ranks its reasons by. */
  @Benchmark
  public ModelScorer.Score xgboostCompiledWithReasons(SyntheticPayments payments) {
    return xgboostScorer.score(payments.nextFeatures());
  }

  @Benchmark
  public Prediction<Label> xgboostTribuo(SyntheticPayments payments) {
    return xgboost.model().predict(xgboostScorer.example(payments.nextFeatures()));
  }

  @Benchmark
  public double forestCompiled(SyntheticPayments payments) {
    return forestScorer.probability(payments.nextFeatures());
  }

  @Benchmark
  public Prediction<Label> forestTribuo(SyntheticPayments payments) {
    return forest.model().predict(forestScorer.example(payments.nextFeatures()));
  }
}
