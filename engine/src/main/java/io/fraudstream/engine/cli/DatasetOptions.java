package io.fraudstream.engine.cli;

import io.fraudstream.features.Transaction;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.DatasetMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Which dataset a command reads and how: a preset format, a mapping file, or detected from the header. */
final class DatasetOptions {

  @Option(names = "--dataset", description = "CSV or JSON-lines file, plain or .gz")
  Path dataset;

  @Option(names = "--format",
      description = "a built-in format: handbook, banksim, paysim, sparkov, ulb-creditcard, fraudstream (default: detected from the header)")
  String format;

  @Option(names = "--mapping", description = "a mapping file describing the columns, for any other dataset (see the README)")
  Path mapping;

  /**
   * Replays payments offline through the feature extractors. Features depend only on which
   * identifiers are equal, never on the hash secret's value, so a fresh one will do.
   */
  static List<FeatureRow> features(List<Transaction> payments, Duration labelDelay) {
    return OfflineReplay.replay(payments, DemoCommand.randomSecret().getBytes(StandardCharsets.UTF_8), labelDelay);
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
