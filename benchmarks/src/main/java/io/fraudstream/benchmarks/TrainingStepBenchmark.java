package io.fraudstream.benchmarks;

import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.TrainerSpec;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/**
 * fraudstream's training step beside XGBoost alone, on the same feature rows:
 *
 * <pre>
 * java -Xlog:gc:file=gc.log -cp benchmarks.jar io.fraudstream.benchmarks.TrainingStepBenchmark MODE DATASET FIRST-DAY DAYS
 * </pre>
 *
 * MODE {@code fraudstream} times {@code ModelTrainer.train} with the default XGBoost trainer
 * (the standardised float matrix, XGBoost through Tribuo's trainer with provenance, the bundle
 * and its thresholds on the next 7 days). MODE {@code xgboost} times XGBoost4J alone, on a dense matrix
 * of the same rows with the same parameters and fraud weights, once with Tribuo's objective
 * ({@code multi:softprob} over two classes, two trees a round) and once with
 * {@code binary:logistic}. Run each mode in a JVM of its own, so that the GC log gives each its
 * own peak heap. Reading and replaying are timed apart.
 */
public final class TrainingStepBenchmark {

  private TrainingStepBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4 || !List.of("fraudstream", "xgboost").contains(args[0])) {
      System.err.println("usage: TrainingStepBenchmark fraudstream|xgboost DATASET FIRST-DAY DAYS");
      System.exit(2);
    }
    String mode = args[0];
    LocalDate first = LocalDate.parse(args[2]);
    LocalDate end = first.plusDays(Integer.parseInt(args[3]));
    long start = System.nanoTime();
    List<Transaction> payments = DatasetReader.read(Path.of(args[1]), DatasetMapping.preset("handbook"));
    double readSeconds = seconds(start);
    start = System.nanoTime();
    List<FeatureRow> rows = OfflineReplay.replay(payments, "benchmark-secret-16-bytes".getBytes(StandardCharsets.UTF_8));
    double replaySeconds = seconds(start);
    payments = null;
    List<FeatureRow> training = rows.stream().filter(row -> within(row, first, end)).toList();
    List<FeatureRow> tuning = rows.stream().filter(row -> within(row, end, end.plusDays(7))).toList();
    rows = null;
    System.out.printf(Locale.ROOT, "read %.1f s, replay %.1f s; %,d training rows (%s .. %s), %,d tuning rows%n", readSeconds, replaySeconds,
        training.size(), first, end.minusDays(1), tuning.size());

    TrainerSpec spec = TrainerSpec.parse("xgboost");
    if (mode.equals("fraudstream")) {
      start = System.nanoTime();
      ModelTrainer.train(training, tuning, Set.copyOf(Feature.all()),
          ModelTrainer.Settings.defaults("benchmark").withTrainer(spec).withLabelDelay(Duration.ofDays(7)));
      System.out.printf(Locale.ROOT, "RESULT fraudstream training step %.1f s (%s)%n", seconds(start), spec);
      return;
    }
    int width = Feature.count();
    float[] data = new float[training.size() * width];
    float[] labels = new float[training.size()];
    float[] weights = new float[training.size()];
    long frauds = training.stream().filter(FeatureRow::fraud).count();
    float fraudWeight = (float) Math.min(20, (training.size() - frauds) / (double) frauds);
    for (int r = 0; r < training.size(); r++) {
      FeatureRow row = training.get(r);
      for (int c = 0; c < width; c++) {
        data[r * width + c] = (float) row.features().get(c);
      }
      labels[r] = row.fraud() ? 1 : 0;
      weights[r] = row.fraud() ? fraudWeight : 1;
    }
    for (String objective : List.of("multi:softprob", "binary:logistic")) {
      start = System.nanoTime();
      DMatrix matrix = new DMatrix(data, training.size(), width, Float.NaN);
      matrix.setLabel(labels);
      matrix.setWeight(weights);
      Map<String, Object> params = new HashMap<>();
      params.put("booster", "gbtree");
      params.put("tree_method", "hist");
      params.put("eta", 0.1);
      params.put("max_depth", 6);
      params.put("min_child_weight", 1.0);
      params.put("subsample", 0.8);
      params.put("colsample_bytree", 0.8);
      params.put("lambda", 1.0);
      params.put("alpha", 0.0);
      params.put("gamma", 0.0);
      params.put("nthread", 2);
      params.put("seed", 42);
      params.put("verbosity", 0);
      params.put("objective", objective);
      if (objective.startsWith("multi")) {
        params.put("num_class", 2);
      }
      Booster booster = XGBoost.train(matrix, params, 100, Map.of(), null, null);
      double elapsed = seconds(start);
      booster.dispose();
      matrix.dispose();
      System.out.printf(Locale.ROOT, "RESULT xgboost alone (%s) %.1f s, matrix included%n", objective, elapsed);
    }
  }

  private static boolean within(FeatureRow row, LocalDate first, LocalDate end) {
    LocalDate day = row.transaction().timestamp().atOffset(ZoneOffset.UTC).toLocalDate();
    return !day.isBefore(first) && day.isBefore(end);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
