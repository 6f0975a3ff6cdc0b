package io.fraudstream.engine.cli;

import io.fraudstream.features.EntityState;
import io.fraudstream.models.Evaluation;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.KindRecall;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.ReplayedDataset;
import io.fraudstream.models.Report;
import io.fraudstream.models.TimeSplit;
import io.fraudstream.models.TrainerSpec;
import io.fraudstream.models.TrainingProtocol;
import io.fraudstream.models.data.FraudKinds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains a model bundle from a dataset by time, with thresholds to the user's targets, and reports on it. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model bundle from a dataset with a time split, tune its thresholds and write an HTML and JSON report.")
final class TrainCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  DatasetOptions input;

  @Mixin
  SplitOptions split;

  @Option(names = "--trainer", defaultValue = "logistic",
      description = "logistic, random-forest or xgboost, with optional parameters (xgboost:trees=200,depth=6; logistic:bins=4 for value ranges); "
          + "repeat to choose among several on the validation window (default ${DEFAULT-VALUE})")
  List<String> trainers;

  @Option(names = "--search", description = "search a small grid around each trainer, chosen on the validation window")
  boolean search;

  @Option(names = "--folds", defaultValue = "1",
      description = "also train and measure on this many consecutive earlier windows in all (prequential evaluation; default ${DEFAULT-VALUE})")
  int folds;

  @Option(names = "--challenge-fpr", defaultValue = "0.01",
      description = "CHALLENGE flags at most this share of legitimate payments (default ${DEFAULT-VALUE})")
  double challengeFpr;

  @Option(names = "--reviews-per-day", description = "instead of --challenge-fpr: CHALLENGE flags at most this many payments a day")
  Double reviewsPerDay;

  @Option(names = "--block-precision", defaultValue = "0.9",
      description = "BLOCK only where held-out precision reaches this (default ${DEFAULT-VALUE})")
  double blockPrecision;

  @Option(names = "--label-delay-days", defaultValue = "7",
      description = "entity risk counts frauds only of payments at least this old; saved in the bundle (default ${DEFAULT-VALUE})")
  int labelDelayDays;

  @Option(names = "--seed", defaultValue = "42", description = "trainer seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", defaultValue = "target/fraudstream/model.bundle", description = "the bundle to write (default ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--report", description = "the HTML report to write, with its JSON beside it (default: next to the bundle)")
  Path report;

  @Override
  public Integer call() throws Exception {
    Duration labelDelay = EntityState.checkLabelDelay(Duration.ofDays(labelDelayDays));
    List<TrainerSpec> candidates = new ArrayList<>();
    for (String trainer : trainers) {
      TrainerSpec parsed = TrainerSpec.parse(trainer);
      candidates.addAll(search ? parsed.grid() : List.of(parsed));
    }
    ReplayedDataset dataset = input.replayed(labelDelay);
    List<FeatureRow> rows = dataset.rows();
    TimeSplit timeSplit = TrainingProtocol.withinData(rows, split.split(rows));
    System.out.println("split: " + timeSplit + (candidates.size() > 1 ? "; choosing among " + candidates.size() + " trainers on "
        + TrainingProtocol.selectionSplit(rows, timeSplit) : ""));
    ModelTrainer.Settings settings = ModelTrainer.Settings.defaults(input.dataset.getFileName().toString())
        .withLabelDelay(labelDelay).withTargets(challengeFpr, reviewsPerDay == null ? 0 : reviewsPerDay, blockPrecision).withSeed(seed);
    TrainingProtocol.Outcome outcome = TrainingProtocol.run(rows, timeSplit, candidates, settings, folds);
    outcome.bundle().save(out);
    Path html = report != null ? report : out.resolveSibling(out.getFileName().toString().replaceFirst("\\.bundle$", "") + ".html");
    List<Path> written = Report.write(html, outcome, dataset.fraudKinds(), "fraudstream " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    summarise(outcome, dataset.fraudKinds());
    System.out.println("bundle " + out + " (" + outcome.bundle().version() + "); report " + written.get(0) + " and " + written.get(1));
    return 0;
  }

  static void summarise(TrainingProtocol.Outcome outcome, FraudKinds kinds) {
    for (TrainingProtocol.Candidate candidate : outcome.candidates()) {
      System.out.printf(Locale.ROOT, "  candidate %-48s validation AP %.3f%n", candidate.trainer(), candidate.validationAveragePrecision());
    }
    System.out.println("  trainer: " + outcome.bundle().manifest().trainer());
    if (!Double.isNaN(outcome.trainingSeconds())) {
      System.out.printf(Locale.ROOT, "  trained in %.1f s%n", outcome.trainingSeconds());
    }
    print("test, all features", outcome.test());
    if (outcome.rawColumns() != null) {
      print("test, raw columns only", outcome.rawColumns());
    }
    for (TrainingProtocol.Fold fold : outcome.folds().subList(1, outcome.folds().size())) {
      print("fold " + fold.split(), fold.metrics());
    }
    for (KindRecall kind : Report.recallPerKind(outcome, kinds)) {
      System.out.printf(Locale.ROOT, "  fraud kind %-13s %,7d frauds  recall %.3f  BLOCK recall %.3f%n", kind.kind(), kind.frauds(),
          kind.recall(), kind.blockRecall());
    }
  }

  private static void print(String name, Evaluation.Metrics m) {
    System.out.printf(Locale.ROOT, "  %-24s AUC %.3f  AP %.3f  CP@100 %.3f  recall@1%%FPR %.3f  CHALLENGE p/r %.3f/%.3f  BLOCK p/r %.3f/%.3f%n",
        name, m.aucRoc(), m.averagePrecision(), m.cardPrecisionAt100(), m.recallAt1PercentFpr(), m.challenge().precision(),
        m.challenge().recall(), m.block().precision(), m.block().recall());
  }
}
