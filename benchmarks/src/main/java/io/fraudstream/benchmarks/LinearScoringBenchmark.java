package io.fraudstream.benchmarks;

import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.TrainerSpec;
import java.util.List;
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
 * Scoring one payment by logistic regression, with its reasons, from the model's weights
 * ({@code ModelScorer}), against Tribuo's own prediction of the same example: for slopes alone
 * and for slopes and 4 value ranges a feature ({@code logistic:bins=4}), which adds an indicator
 * per feature to the example Tribuo scores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LinearScoringBenchmark {

  private ModelBundle slopesBundle;
  private ModelBundle rangesBundle;
  private ModelScorer slopes;
  private ModelScorer ranges;

  @Setup(Level.Trial)
  public void setUp(SyntheticPayments payments) {
    List<FeatureRow> rows = payments.rows();
    ModelTrainer.Settings settings = ModelTrainer.Settings.defaults("benchmark");
    slopesBundle = ModelTrainer.train(rows, settings.withTrainer(TrainerSpec.parse("logistic")));
    rangesBundle = ModelTrainer.train(rows, settings.withTrainer(TrainerSpec.parse("logistic:bins=4")));
    slopes = new ModelScorer(slopesBundle);
    ranges = new ModelScorer(rangesBundle);
  }

  @Benchmark
  public ModelScorer.Score slopesAlone(SyntheticPayments payments) {
    return slopes.score(payments.nextFeatures());
  }

  @Benchmark
  public ModelScorer.Score withValueRanges(SyntheticPayments payments) {
    return ranges.score(payments.nextFeatures());
  }

  @Benchmark
  public Prediction<Label> slopesAloneTribuo(SyntheticPayments payments) {
    return slopesBundle.model().predict(slopes.example(payments.nextFeatures()));
  }

  @Benchmark
  public Prediction<Label> withValueRangesTribuo(SyntheticPayments payments) {
    return rangesBundle.model().predict(ranges.example(payments.nextFeatures()));
  }
}
