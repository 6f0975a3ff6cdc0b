package io.fraudstream.engine.cli;

import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.TimeSplit;
import java.time.LocalDate;
import java.util.List;
import picocli.CommandLine.Option;

/** The time split: training window, label-delay gap and test window, in days. */
final class SplitOptions {

  @Option(names = "--train-start", description = "first training day, e.g. 2018-07-25 (default: the latest split the data allows)")
  LocalDate trainStart;

  @Option(names = "--train-days", defaultValue = "7", description = "training window (default ${DEFAULT-VALUE} days)")
  int trainDays;

  @Option(names = "--gap-days", defaultValue = "7", description = "gap between training and test, for labels to arrive (default ${DEFAULT-VALUE} days)")
  int gapDays;

  @Option(names = "--test-days", defaultValue = "7", description = "test window (default ${DEFAULT-VALUE} days)")
  int testDays;

  TimeSplit split(List<FeatureRow> rows) {
    return trainStart != null ? new TimeSplit(trainStart, trainDays, gapDays, testDays) : TimeSplit.latest(rows, trainDays, gapDays, testDays);
  }
}
