package io.fraudstream.benchmarks;

import io.fraudstream.features.Transaction;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.ReplayedDataset;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reading a dataset alone, beside reading and replaying it, in one JVM, rounds interleaved:
 *
 * <pre>
 * java -cp benchmarks.jar io.fraudstream.benchmarks.ReadReplayBenchmark DATASET FORMAT ROUNDS
 * </pre>
 *
 * Each round times: {@code read} ({@link DatasetReader#read}, every payment into a list);
 * {@code read, then replay} (the same, then {@link OfflineReplay#replay} on all cores, as the
 * commands did before); and {@code read and replay} ({@link ReplayedDataset#read}, the replay
 * behind the reader, as {@code train}, {@code evaluate} and {@code backtest} do now). It prints
 * each round and the medians, and the ratios of the medians to reading alone.
 */
public final class ReadReplayBenchmark {

  private static final byte[] SECRET = "read-replay-benchmark".getBytes(StandardCharsets.UTF_8);
  private static final Duration DELAY = Duration.ofDays(7);

  private ReadReplayBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ReadReplayBenchmark DATASET FORMAT ROUNDS");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    DatasetMapping mapping = DatasetMapping.preset(args[1]);
    int rounds = Integer.parseInt(args[2]);
    List<double[]> times = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      long start = System.nanoTime();
      List<Transaction> payments = DatasetReader.read(file, mapping);
      double read = seconds(start);
      long count = payments.size();
      payments = null;
      System.gc();

      start = System.nanoTime();
      List<FeatureRow> staged = OfflineReplay.replay(DatasetReader.read(file, mapping), SECRET, DELAY);
      double thenReplay = seconds(start);
      check(staged.size(), count);
      staged = null;
      System.gc();

      start = System.nanoTime();
      ReplayedDataset pipelined = ReplayedDataset.read(file, mapping, SECRET, DELAY);
      double andReplay = seconds(start);
      check(pipelined.rows().size(), count);
      pipelined = null;
      System.gc();
      times.add(new double[] {read, thenReplay, andReplay});
      System.out.printf(Locale.ROOT, "round %d: %,d payments; read %.2f s, read then replay %.2f s, read and replay %.2f s%n", round + 1,
          count, read, thenReplay, andReplay);
    }
    double read = median(times, 0);
    double thenReplay = median(times, 1);
    double andReplay = median(times, 2);
    System.out.printf(Locale.ROOT, "RESULT median of %d: read %.2f s; read then replay %.2f s (%.2fx); read and replay %.2f s (%.2fx)%n",
        rounds, read, thenReplay, thenReplay / read, andReplay, andReplay / read);
  }

  private static void check(long rows, long payments) {
    if (rows != payments) {
      throw new IllegalStateException(rows + " rows for " + payments + " payments");
    }
  }

  private static double median(List<double[]> times, int column) {
    double[] values = times.stream().mapToDouble(round -> round[column]).sorted().toArray();
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
