package io.fraudstream.benchmarks;

import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.Evaluation;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.TrainerSpec;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Replays the whole handbook dataset through the feature extractor (timed, median of three),
 * then compares the slice's first 16 features with the full catalogue on the handbook protocol:
 * train 2018-07-25 .. 07-31, a 7-day gap for label delay, test 2018-08-08 .. 08-14.
 *
 * <p>Usage: {@code HandbookEvaluation [path to transactions.csv.gz] [trainer spec ...]}
 */
public final class HandbookEvaluation {

  /** The features of the first slice (issue 2), before issue 3's families. */
  static final Set<Feature> FIRST_FEATURES = EnumSet.of(Feature.AMOUNT, Feature.TX_COUNT_1H, Feature.AMOUNT_SUM_1H,
      Feature.TX_COUNT_24H, Feature.AMOUNT_SUM_24H, Feature.AMOUNT_MEAN, Feature.AMOUNT_STD, Feature.AMOUNT_ZSCORE,
      Feature.AMOUNT_TO_MEAN_RATIO, Feature.SECONDS_SINCE_PREVIOUS, Feature.FIRST_PAYMENT, Feature.NEW_MERCHANT,
      Feature.MERCHANT_MISSING, Feature.NEW_DEVICE, Feature.DEVICE_MISSING, Feature.HOUR_OF_DAY);

  private HandbookEvaluation() {}

  public static void main(String[] args) throws Exception {
    Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
    Path file = Path.of(args.length > 0 ? args[0] : "../shared/datasets/handbook/transactions.csv.gz");
    long start = System.nanoTime();
    List<Transaction> all = DatasetReader.read(file, DatasetMapping.preset("handbook"));
    System.out.printf(Locale.ROOT, "read %,d rows in %.1f s%n", all.size(), (System.nanoTime() - start) / 1e9);

    byte[] secret = "handbook-evaluation-secret".getBytes(StandardCharsets.UTF_8);
    double[] rates = new double[3];
    List<FeatureRow> rows = null;
    for (int run = 0; run < rates.length; run++) {
      long began = System.nanoTime();
      rows = OfflineReplay.replay(all, secret);
      rates[run] = all.size() / ((System.nanoTime() - began) / 1e9);
      System.out.printf(Locale.ROOT, "replay %d: %,.0f rows/s%n", run + 1, rates[run]);
    }
    Arrays.sort(rates);
    System.out.printf(Locale.ROOT, "REPLAY median %,.0f rows/s (%,d rows, %d features, sort by event time included)%n",
        rates[1], all.size(), Feature.count());

    List<FeatureRow> training = window(rows, "2018-07-25", "2018-08-01");
    List<FeatureRow> test = window(rows, "2018-08-08", "2018-08-15");
    System.out.printf(Locale.ROOT, "train %,d rows (%,d fraud), test %,d rows (%,d fraud)%n", training.size(),
        training.stream().filter(FeatureRow::fraud).count(), test.size(), test.stream().filter(FeatureRow::fraud).count());
    TrainerSpec logistic = TrainerSpec.logistic();
    report("logistic, raw columns", training, test, Feature.raw(), logistic);
    report("logistic, first 16", training, test, FIRST_FEATURES, logistic);
    List<String> trainers = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("logistic", "random-forest", "xgboost");
    for (String trainer : trainers) {
      report(trainer + ", all " + Feature.count(), training, test, EnumSet.allOf(Feature.class), TrainerSpec.parse(trainer));
    }
  }

  private static void report(String name, List<FeatureRow> training, List<FeatureRow> test, Set<Feature> inputs, TrainerSpec trainer) {
    long began = System.nanoTime();
    ModelBundle bundle = ModelTrainer.train(training, test, inputs, ModelTrainer.Settings.defaults("handbook").withTrainer(trainer));
    double seconds = (System.nanoTime() - began) / 1e9;
    ModelScorer scorer = new ModelScorer(bundle);
    double[] scores = new double[test.size()];
    boolean[] fraud = new boolean[test.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = scorer.score(test.get(i).features()).probability();
      fraud[i] = test.get(i).fraud();
    }
    List<Transaction> payments = test.stream().map(FeatureRow::transaction).toList();
    System.out.printf(Locale.ROOT, "RESULT %-28s AUC %.3f  AP %.3f  CP@100 %.3f  recall@1%%FPR %.3f  (trained in %.1f s)%n", name,
        Evaluation.auc(scores, fraud), Evaluation.averagePrecision(scores, fraud), Evaluation.cardPrecisionAtK(payments, scores, 100),
        Evaluation.recallAtFalsePositiveRate(scores, fraud, 0.01), seconds);
  }

  private static List<FeatureRow> window(List<FeatureRow> rows, String fromDay, String untilDay) {
    Instant from = Instant.parse(fromDay + "T00:00:00Z");
    Instant until = Instant.parse(untilDay + "T00:00:00Z");
    return rows.stream().filter(r -> !r.transaction().timestamp().isBefore(from) && r.transaction().timestamp().isBefore(until)).toList();
  }
}
