package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import io.fraudstream.models.data.DatasetWriter;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and replaying at once must give exactly the rows of reading, then replaying. */
class ReplayedDatasetTest {

  private static final byte[] SECRET = "replayed-dataset-secret".getBytes(StandardCharsets.UTF_8);
  private static final Duration DELAY = Duration.ofDays(3);
  private static final DatasetMapping FORMAT = DatasetMapping.preset("fraudstream");
  private static List<Transaction> payments;

  @TempDir
  static Path dir;

  @BeforeAll
  static void generate() {
    payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(200, 20, 9));
  }

  private static void assertSameRows(List<FeatureRow> expected, List<FeatureRow> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).transaction(), actual.get(i).transaction(), "row " + i);
      assertArrayEquals(expected.get(i).features().toArray(), actual.get(i).features().toArray(), "row " + i);
    }
  }

  private static List<FeatureRow> readThenReplay(Path file) throws IOException {
    return OfflineReplay.replay(DatasetReader.read(file, FORMAT), SECRET, DELAY);
  }

  @Test
  void aFileInTimeOrderShouldBeReplayedAsItIsRead() throws IOException {
    Path file = dir.resolve("ordered.csv");
    DatasetWriter.write(file, payments);
    ReplayedDataset replayed = ReplayedDataset.read(file, FORMAT, SECRET, DELAY);
    assertTrue(replayed.inTimeOrder());
    assertTrue(replayed.rows().size() > 8_000, replayed.rows().size() + " rows");
    assertSameRows(readThenReplay(file), replayed.rows());
    // In blocks smaller than the file, the last one short.
    ReplayedDataset inBlocks = ReplayedDataset.read(file, FORMAT, SECRET, DELAY, 1_000);
    assertTrue(inBlocks.inTimeOrder());
    assertSameRows(readThenReplay(file), inBlocks.rows());
  }

  @Test
  void aFileOutOfOrderShouldBeSortedAndGiveTheSameRows() throws IOException {
    List<Transaction> shuffled = new ArrayList<>(payments);
    // Out of order from the middle on, so that rows already replayed must be dropped.
    Collections.shuffle(shuffled.subList(shuffled.size() / 2, shuffled.size()), new Random(3));
    Path file = dir.resolve("shuffled.csv");
    DatasetWriter.write(file, shuffled);
    for (int block : new int[] {ReplayedDataset.BLOCK, 1_000}) {
      ReplayedDataset replayed = ReplayedDataset.read(file, FORMAT, SECRET, DELAY, block);
      assertFalse(replayed.inTimeOrder());
      assertSameRows(readThenReplay(file), replayed.rows());
    }
  }

  @Test
  void aBadRowShouldFailWithTheReadersMessage() throws IOException {
    Path file = dir.resolve("bad.csv");
    DatasetWriter.write(file, payments);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(6_000, lines.get(6_000).replaceFirst(",[0-9.]+,EUR,", ",lots,EUR,"));
    Files.write(file, lines);
    IOException error = assertThrows(IOException.class, () -> ReplayedDataset.read(file, FORMAT, SECRET, DELAY));
    assertTrue(error.getMessage().contains("line 6001"), error.getMessage());
  }
}
