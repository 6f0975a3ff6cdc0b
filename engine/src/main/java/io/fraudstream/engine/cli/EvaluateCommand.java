package io.fraudstream.engine.cli;

import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ReplayedDataset;
import io.fraudstream.models.Report;
import io.fraudstream.models.TimeSplit;
import io.fraudstream.models.TrainingProtocol;
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

/** Measures an existing bundle on a window of a dataset, at the bundle's own thresholds. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Measure a model bundle on a test window of a dataset and write an HTML and JSON report.")
final class EvaluateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, description = "the bundle to evaluate")
  Path model;

  @Mixin
  DatasetOptions input;

  @Option(names = "--test-start", description = "first test day (default: the last --test-days days of the data)")
  LocalDate testStart;

  @Option(names = "--test-days", defaultValue = "7", description = "test window (default ${DEFAULT-VALUE} days)")
  int testDays;

  @Option(names = "--report", defaultValue = "target/fraudstream/evaluation.html",
      description = "the HTML report to write, with its JSON beside it (default ${DEFAULT-VALUE})")
  Path report;

  @Override
  public Integer call() throws Exception {
    ModelBundle bundle = ModelBundle.load(model);
    // The whole history is replayed, so the test window's features see what came before it.
    ReplayedDataset dataset = input.replayed(bundle.labelDelay());
    List<FeatureRow> rows = dataset.rows();
    // Only the split's test window is used; the model was trained elsewhere.
    TimeSplit window = testStart != null ? new TimeSplit(testStart.minusDays(1), 1, 0, testDays) : TimeSplit.latest(rows, 1, 0, testDays);
    String description = window.testWindow();
    TrainingProtocol.Outcome outcome = TrainingProtocol.evaluate(bundle, window.test(rows), description);
    List<Path> written = Report.write(report, outcome, dataset.fraudKinds(), "fraudstream " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    System.out.printf(Locale.ROOT, "model %s on %s (%,d payments)%n", bundle.version(), description, outcome.test().payments());
    TrainCommand.summarise(outcome, dataset.fraudKinds());
    System.out.println("report " + written.get(0) + " and " + written.get(1));
    return 0;
  }
}
