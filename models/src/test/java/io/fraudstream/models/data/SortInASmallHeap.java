package io.fraudstream.models.data;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Run in a JVM of its own with a small heap by {@link TimeOrderedDatasetTest}: {@code sort FILE
 * CHUNK} streams the file in time order and checks it; {@code load FILE} reads it whole, as a
 * list of payments, to show that the heap could not hold it.
 */
final class SortInASmallHeap {

  private SortInASmallHeap() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[1]);
    DatasetMapping mapping = DatasetMapping.preset("fraudstream");
    if (args[0].equals("load")) {
      System.out.println("loaded " + DatasetReader.read(file, mapping).size());
      return;
    }
    TimeOrderedDataset dataset = TimeOrderedDataset.scan(file, mapping);
    long[] count = {0};
    Instant[] previous = {Instant.MIN};
    dataset.forEach(Integer.parseInt(args[2]), Path.of(args[3]), tx -> {
      if (tx.timestamp().isBefore(previous[0])) {
        System.out.println("out of order at " + count[0]);
        System.exit(3);
      }
      previous[0] = tx.timestamp();
      count[0]++;
    });
    System.out.println("sorted " + count[0] + " of " + dataset.payments() + (dataset.inTimeOrder() ? " (already in order)" : ""));
  }
}
