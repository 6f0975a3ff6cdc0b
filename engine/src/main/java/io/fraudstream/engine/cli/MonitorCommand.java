package io.fraudstream.engine.cli;

import io.fraudstream.models.DriftCounts;
import io.fraudstream.models.DriftReference;
import io.fraudstream.models.DriftReport;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.ReplayedDataset;
import io.fraudstream.models.TimeSplit;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** How far a dataset has moved from what a bundle was trained on: the engine's drift, offline. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
    description = "Measure the drift of a dataset's features and scores from a model bundle's training data, and its calibration when labelled.")
final class MonitorCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, description = "the bundle whose training data is the reference (made by this version: format 4)")
  Path model;

  @Mixin
  DatasetOptions input;

  @Option(names = "--start", description = "first day measured (default: the last --days days of the data)")
  LocalDate start;

  @Option(names = "--days", defaultValue = "7", description = "days measured (default ${DEFAULT-VALUE})")
  int days;

  @Option(names = "--top", defaultValue = "10", description = "features listed, most drifted first (default ${DEFAULT-VALUE})")
  int top;

  @Option(names = "--report", defaultValue = "target/fraudstream/monitor.html",
      description = "the HTML report to write, every feature in it, with its JSON beside it (default ${DEFAULT-VALUE})")
  Path report;

  @Override
  public Integer call() throws Exception {
    if (days < 1 || top < 1) {
      throw new IllegalArgumentException("--days and --top must be at least 1");
    }
    ModelBundle bundle = ModelBundle.load(model);
    DriftCounts counts = new DriftCounts(bundle);
    // The whole history is replayed, so the measured days' features see what came before them.
    ReplayedDataset dataset = input.replayed(bundle.labelDelay());
    List<FeatureRow> rows = dataset.rows();
    TimeSplit window = start != null ? new TimeSplit(start.minusDays(1), 1, 0, days) : TimeSplit.latest(rows, 1, 0, days);
    ModelScorer scorer = new ModelScorer(bundle);
    List<FeatureRow> measured = window.test(rows);
    long labelled = 0;
    for (FeatureRow row : measured) {
      double score = scorer.probability(row.features());
      counts.add(row.features(), score);
      if (row.transaction().label() != null) {
        counts.addLabel(score, row.fraud());
        labelled++;
      }
    }
    print(System.out, bundle, window.testWindow(), counts, labelled, top);
    List<Path> written = DriftReport.write(report, bundle, window.testWindow(), counts,
        "fraudstream " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    System.out.println("report " + written.get(0) + " and " + written.get(1));
    return 0;
  }

  static void print(PrintStream out, ModelBundle bundle, String window, DriftCounts counts, long labelled, int top) {
    out.printf(Locale.ROOT, "model %s against %s (%,d payments)%n", bundle.version(), window, counts.payments());
    if (counts.payments() < DriftCounts.MIN_PAYMENTS) {
      out.printf(Locale.ROOT, "too few payments to measure drift: at least %,d are needed%n", DriftCounts.MIN_PAYMENTS);
      return;
    }
    out.printf(Locale.ROOT, "score          PSI %.3f  %s%n", counts.scorePsi(), DriftCounts.verdict(counts.scorePsi()));
    out.println("features, most drifted first (PSI: under 0.1 stable, 0.1-0.25 moving, over 0.25 shifted)");
    for (DriftCounts.Drift drift : counts.mostDrifted(top)) {
      out.printf(Locale.ROOT, "  %-36s %.3f  %s%n", drift.feature(), drift.psi(), DriftCounts.verdict(drift.psi()));
    }
    List<DriftReference.Decile> deciles = counts.reference().calibration();
    if (labelled == 0 || deciles.isEmpty()) {
      out.println("calibration    no labels in these days");
      return;
    }
    out.println("calibration: fraud rate per decile of the bundle's held-out scores, then and now");
    out.println("  decile  scores                 held-out  now     labelled");
    for (int d = 0; d < deciles.size(); d++) {
      DriftReference.Decile decile = deciles.get(d);
      long[] now = counts.labelledIn(d);
      long n = now[0] + now[1];
      out.printf(Locale.ROOT, "  %-6d  %.4f - %.4f        %.4f    %s  %,d%n", d + 1, decile.from(), decile.to(), decile.fraudRate(),
          n == 0 ? "  -   " : String.format(Locale.ROOT, "%.4f", (double) now[1] / n), n);
    }
  }
}
