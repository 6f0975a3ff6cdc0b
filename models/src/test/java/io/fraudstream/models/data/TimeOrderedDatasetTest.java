package io.fraudstream.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Transaction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeOrderedDatasetTest {

  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  @TempDir
  Path dir;

  /** Payments at random seconds of 30 days (many sharing a second), in file order. */
  private Path write(String name, int rows, boolean inOrder) throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    long[] seconds = new long[rows];
    for (int i = 0; i < rows; i++) {
      seconds[i] = random.nextLong(30L * 86_400 / 50) * 50;
    }
    if (inOrder) {
      Arrays.sort(seconds);
    }
    Path file = dir.resolve(name);
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("id,timestamp,user,amount,currency,merchant,category,channel,counterparty,device,ip,country,lat,lon,fraud\n");
      for (int i = 0; i < rows; i++) {
        out.write(String.format(Locale.ROOT, "tx-%07d,%s,user-%05d,%.2f,EUR,merchant-%04d,grocery,web,payee-%06d,device-%06d,"
            + "203.0.113.%d,BE,50.85,4.35,%s%n", i, START.plusSeconds(seconds[i]), i % 5_000, 5 + random.nextDouble(500),
            random.nextInt(2_000), random.nextInt(100_000), random.nextInt(100_000), random.nextInt(255), random.nextInt(100) == 0));
      }
    }
    return file;
  }

  private List<Transaction> inTimeOrder(Path file, int chunkRows) throws IOException {
    List<Transaction> out = new ArrayList<>();
    TimeOrderedDataset.scan(file, DatasetMapping.preset("fraudstream")).forEach(chunkRows, dir, out::add);
    return out;
  }

  @Test
  void shouldSortThroughChunksAsAStableSortInMemoryWould() throws IOException {
    Path file = write("shuffled.csv", 5_000, false);
    List<Transaction> read = DatasetReader.read(file, DatasetMapping.preset("fraudstream"));
    List<Transaction> expected = new ArrayList<>(read);
    expected.sort(Comparator.comparing(Transaction::timestamp));
    assertNotEquals(read, expected, "the file is out of order");
    TimeOrderedDataset scan = TimeOrderedDataset.scan(file, DatasetMapping.preset("fraudstream"));
    assertEquals(5_000, scan.payments());
    assertFalse(scan.inTimeOrder());
    // Equal times keep the file's order, through 79 chunks, one chunk, and a last chunk half full.
    for (int chunkRows : List.of(64, 5_000, 3_333)) {
      assertEquals(expected, inTimeOrder(file, chunkRows), "chunks of " + chunkRows);
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(file), left.toList(), "the sort's temporary files are gone");
    }
  }

  @Test
  void shouldStreamAFileInTimeOrderAsItIs() throws IOException {
    Path file = write("ordered.csv", 2_000, true);
    TimeOrderedDataset scan = TimeOrderedDataset.scan(file, DatasetMapping.preset("fraudstream"));
    assertTrue(scan.inTimeOrder());
    assertEquals(DatasetReader.read(file, DatasetMapping.preset("fraudstream")), inTimeOrder(file, 10));
  }

  @Test
  void shouldSortAFileInAHeapTooSmallToHoldItsPayments() throws Exception {
    Path file = write("large.csv", 400_000, false);
    // The same file loaded as a list of payments does not fit in 48 MB; sorted in chunks of 20,000 it does.
    Process load = java("-Xmx48m", "load", file.toString());
    String loadOutput = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(load.waitFor(120, TimeUnit.SECONDS));
    assertNotEquals(0, load.exitValue(), loadOutput);
    assertTrue(loadOutput.contains("OutOfMemoryError"), loadOutput);

    Process sort = java("-Xmx48m", "sort", file.toString(), "20000", dir.toString());
    String sortOutput = new String(sort.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(sort.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, sort.exitValue(), sortOutput);
    assertTrue(sortOutput.contains("sorted 400000 of 400000"), sortOutput);
  }

  private static Process java(String heap, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
        "-cp", System.getProperty("java.class.path"), SortInASmallHeap.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }
}
