package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetsTest {

  /**
   * The shared handbook file. Absent on a developer's machine, the tests that need it are
   * skipped, saying where to get it; in CI ({@code CI=true}) they fail instead, so that CI can
   * never stop checking against it without anyone noticing.
   */
  static Path handbook() {
    Path file = Path.of(System.getProperty("fraudstream.datasets", "../shared/datasets"), "handbook", "transactions.csv.gz");
    String missing = "handbook dataset not found at " + file + ": it is in the workplace's shared/datasets/handbook/ "
        + "(source and licence in shared/datasets/README.md), beside this repository";
    assertTrue(Files.isRegularFile(file) || !"true".equals(System.getenv("CI")), missing);
    assumeTrue(Files.isRegularFile(file), missing);
    return file;
  }

  @Test
  void syntheticDataShouldBeDeterministicOrderedAndLabelled() {
    var settings = SyntheticGenerator.Settings.of(300, 20, 11);
    List<Transaction> a = SyntheticGenerator.generate(settings);
    List<Transaction> b = SyntheticGenerator.generate(settings);
    assertEquals(a, b);
    assertTrue(a.stream().map(Transaction::timestamp).sorted().toList().equals(a.stream().map(Transaction::timestamp).toList()));
    long frauds = a.stream().filter(tx -> tx.label()).count();
    assertTrue(frauds > 20 && frauds < a.size() * 0.05, frauds + " frauds of " + a.size());
    assertTrue(a.stream().allMatch(tx -> tx.label() != null));
    assertTrue(!a.equals(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 20, 12))));
  }

  @Test
  void shouldReadTheHandbookDataset() throws IOException {
    List<Transaction> rows = DatasetReader.read(handbook(), DatasetMapping.preset("handbook"), 50_000);
    assertEquals(50_000, rows.size());
    Transaction first = rows.get(0);
    assertEquals("0", first.id());
    assertEquals(Instant.parse("2018-04-01T00:00:31Z"), first.timestamp());
    assertEquals("596", first.user());
    assertEquals("3156", first.merchant());
    assertEquals(57.16, first.amount());
    assertEquals(rows, rows.stream().sorted(Comparator.comparing(Transaction::timestamp)).toList());
  }
}
