package io.fraudstream.engine.cli;

import io.fraudstream.models.ReplayedDataset;
import io.fraudstream.models.data.DatasetMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Which dataset a command reads and how: a preset format, a mapping file, or detected from the header. */
final class DatasetOptions {

  @Option(names = "--dataset", description = "CSV or JSON-lines file, plain or .gz")
  Path dataset;

  @Option(names = "--format",
      description = "a built-in format: handbook, banksim, paysim, sparkov, ulb-creditcard, fraudstream (default: detected from the header)")
  String format;

  @Option(names = "--mapping", description = "a mapping file describing the columns, for any other dataset (see docs/tune.md)")
  Path mapping;

  /**
   * Reads the dataset and replays it offline through the feature extractors as it is read (see
   * {@link ReplayedDataset}). Features depend only on which identifiers are equal, never on the
   * hash secret's value, so a fresh one will do.
   */
  ReplayedDataset replayed(Duration labelDelay) throws IOException {
    DatasetMapping columns = mapping();
    ReplayedDataset replayed = ReplayedDataset.read(dataset, columns, DemoCommand.randomSecret().getBytes(StandardCharsets.UTF_8),
        labelDelay);
    if (replayed.rows().isEmpty()) {
      throw new IllegalArgumentException("--dataset " + dataset + " holds no payments");
    }
    System.out.printf(Locale.ROOT, "read and replayed %,d payments (%s format) from %s%s%n", replayed.rows().size(), columns.name(),
        dataset, replayed.inTimeOrder() ? "" : "; the file is not in time order, so it was sorted first");
    return replayed;
  }

  DatasetMapping mapping() throws IOException {
    if (dataset == null) {
      throw new IllegalArgumentException("--dataset is required: the file to read");
    }
    if (!Files.isRegularFile(dataset)) {
      throw new IllegalArgumentException("--dataset " + dataset + " does not exist");
    }
    if (format != null && mapping != null) {
      throw new IllegalArgumentException("give --format or --mapping, not both");
    }
    if (mapping != null) {
      if (!Files.isRegularFile(mapping)) {
        throw new IllegalArgumentException("--mapping " + mapping + " does not exist");
      }
      return DatasetMapping.load(mapping);
    }
    return format != null ? DatasetMapping.preset(format) : DatasetMapping.detect(dataset);
  }
}
