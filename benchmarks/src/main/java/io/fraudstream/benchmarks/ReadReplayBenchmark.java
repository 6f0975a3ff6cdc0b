package io.fraudstream.benchmarks;

import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.ReplayedDataset;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Reading a dataset alone, beside reading and replaying it: in one JVM, rounds interleaved, or one
 * JVM per measurement ({@code fresh}):
 *
 * <pre>
 * java -cp benchmarks.jar io.fraudstream.benchmarks.ReadReplayBenchmark DATASET FORMAT ROUNDS [staged]
 * java -cp benchmarks.jar io.fraudstream.benchmarks.ReadReplayBenchmark DATASET FORMAT PAIRS fresh
 * </pre>
 *
 * Each round times {@code read} ({@link DatasetReader#read}, every payment into a list), then
 * {@code read and replay} ({@link ReplayedDataset#read}, the replay behind the reader, as
 * {@code train}, {@code evaluate} and {@code backtest} do). With {@code staged} it also times
 * {@code read, then replay} (the same list, then {@link OfflineReplay#replay} on all cores, as
 * the commands did before 2026-12-02). For each it prints the wall time, the process's CPU time
 * and the collectors' time, then the medians and the ratio of the medians to reading alone, over
 * every round and over every round but the first (which also grows the heap and compiles). The
 * collectors' time is what their beans report: on JDK 17's G1, the young, mixed and full
 * collections' pauses, not the CPU of concurrent marking (which the process's CPU includes).
 *
 * <p>With {@code fresh}, as the commands run: every measurement in a JVM of its own, started with
 * the launcher's flags for {@code train} ({@link #TRAIN_FLAGS}), reading alone and then reading
 * and replaying, {@code PAIRS} times. It prints each pair, then the medians and the median of the
 * pairs' ratios, with their range and how many pairs were at or under 1.3× (issue 14's target).
 * One JVM's rounds instead share a heap that {@link System#gc} between them shrinks, and code
 * compiled by the rounds before.
 */
public final class ReadReplayBenchmark {

  private static final byte[] SECRET = "read-replay-benchmark".getBytes(StandardCharsets.UTF_8);
  private static final Duration DELAY = Duration.ofDays(7);
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** The JVM flags {@code ./fraudstream train} runs with, besides the class path; kept in step with the launcher by hand. */
  static final List<String> TRAIN_FLAGS = List.of("-XX:MaxRAMPercentage=50", "-XX:+UnlockExperimentalVMOptions", "-XX:G1NewSizePercent=20");
  private static final String ONCE = "once:";

  private ReadReplayBenchmark() {}

  /** What one way of reading cost: seconds of wall time, of the process's CPU, of the collectors. */
  private record Cost(double wall, double cpu, double collectors) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.2f s (CPU %.2f s, collectors %.2f s)", wall, cpu, collectors);
    }
  }

  /** The moment a measurement starts from. */
  private record Mark(long nanos, long cpuNanos, long collectorMillis) {
    static Mark now() {
      long collectors = 0;
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        collectors += Math.max(0, collector.getCollectionTime());
      }
      return new Mark(System.nanoTime(), OS.getProcessCpuTime(), collectors);
    }

    Cost since() {
      Mark end = now();
      return new Cost((end.nanos - nanos) / 1e9, (end.cpuNanos - cpuNanos) / 1e9, (end.collectorMillis - collectorMillis) / 1e3);
    }
  }

  private interface Work {
    long rows() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    String mode = args.length == 4 ? args[3] : "";
    if (args.length != 3 && !(args.length == 4 && (mode.equals("staged") || mode.equals("fresh") || mode.startsWith(ONCE)))) {
      System.err.println("usage: ReadReplayBenchmark DATASET FORMAT ROUNDS [staged], or DATASET FORMAT PAIRS fresh");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    DatasetMapping mapping = DatasetMapping.preset(args[1]);
    int rounds = Integer.parseInt(args[2]);
    if (rounds < 1) {
      System.err.println("ROUNDS or PAIRS must be at least 1, got " + rounds);
      System.exit(2);
    }
    boolean staged = mode.equals("staged");
    List<String> names = new ArrayList<>(List.of("read", "read and replay"));
    List<Work> ways = new ArrayList<>(List.of(
        () -> DatasetReader.read(file, mapping).size(),
        () -> ReplayedDataset.read(file, mapping, SECRET, DELAY).rows().size()));
    if (mode.equals("fresh")) {
      fresh(args[0], args[1], rounds);
      return;
    }
    if (mode.startsWith(ONCE)) {
      // One way, timed in this fresh JVM, for the parent of a fresh run to read.
      Mark start = Mark.now();
      ways.get(Integer.parseInt(mode.substring(ONCE.length()))).rows();
      Cost cost = start.since();
      System.out.println(ONCE + cost.wall() + " " + cost.cpu());
      return;
    }
    if (staged) {
      names.add("read, then replay");
      ways.add(() -> {
        List<FeatureRow> rows = OfflineReplay.replay(DatasetReader.read(file, mapping), SECRET, DELAY);
        return rows.size();
      });
    }
    List<Cost[]> costs = new ArrayList<>();
    long payments = -1;
    for (int round = 0; round < rounds; round++) {
      Cost[] cost = new Cost[ways.size()];
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d:", round + 1));
      for (int way = 0; way < ways.size(); way++) {
        Mark start = Mark.now();
        long rows = ways.get(way).rows();
        cost[way] = start.since();
        if (payments >= 0 && rows != payments) {
          throw new IllegalStateException(names.get(way) + " gave " + rows + " rows for " + payments + " payments");
        }
        payments = rows;
        System.gc();
        line.append(String.format(Locale.ROOT, " %s %s;", names.get(way), cost[way]));
      }
      costs.add(cost);
      System.out.println(line + String.format(Locale.ROOT, " %,d payments", payments));
    }
    report("every round", costs, names);
    if (rounds > 2) {
      report("rounds 2-" + rounds, costs.subList(1, rounds), names);
    }
  }

  /** Pairs of fresh JVMs, one reading alone and one reading and replaying, in turns. */
  private static void fresh(String dataset, String format, int pairs) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Cost[]> costs = new ArrayList<>();
    double[] ratios = new double[pairs];
    for (int pair = 0; pair < pairs; pair++) {
      Cost[] cost = new Cost[2];
      for (int way = 0; way < 2; way++) {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(TRAIN_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ReadReplayBenchmark.class.getName(), dataset, format, "1",
            ONCE + way));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String result = output.lines().filter(line -> line.startsWith(ONCE)).findFirst().orElse(null);
        if (child.waitFor() != 0 || result == null) {
          throw new IllegalStateException("the measuring JVM failed (exit " + child.exitValue() + "):\n" + output);
        }
        String[] seconds = result.substring(ONCE.length()).split(" ");
        cost[way] = new Cost(Double.parseDouble(seconds[0]), Double.parseDouble(seconds[1]), Double.NaN);
      }
      costs.add(cost);
      ratios[pair] = cost[1].wall() / cost[0].wall();
      System.out.printf(Locale.ROOT, "pair %d: read %.2f s (CPU %.2f s); read and replay %.2f s (CPU %.2f s); %.2fx%n", pair + 1,
          cost[0].wall(), cost[0].cpu(), cost[1].wall(), cost[1].cpu(), ratios[pair]);
    }
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    long atMostTarget = Arrays.stream(ratios).filter(ratio -> ratio <= 1.3).count();
    double medianRatio = pairs % 2 == 1 ? sorted[pairs / 2] : (sorted[pairs / 2 - 1] + sorted[pairs / 2]) / 2;
    System.out.printf(Locale.ROOT, "RESULT fresh JVMs, %d pairs: read %.2f s, read and replay %.2f s (median CPU %.2f / %.2f s);"
        + " ratio per pair median %.2fx, range %.2f-%.2fx, %d of %d at or under 1.3x%n", pairs, median(costs, 0, Cost::wall),
        median(costs, 1, Cost::wall), median(costs, 0, Cost::cpu), median(costs, 1, Cost::cpu), medianRatio, sorted[0],
        sorted[pairs - 1], atMostTarget, pairs);
  }

  private static void report(String which, List<Cost[]> costs, List<String> names) {
    double read = median(costs, 0, Cost::wall);
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "RESULT median of %s (%d):", which, costs.size()));
    for (int way = 0; way < names.size(); way++) {
      double wall = median(costs, way, Cost::wall);
      line.append(String.format(Locale.ROOT, " %s %.2f s (%.2fx; CPU %.2f s, collectors %.2f s);", names.get(way), wall, wall / read,
          median(costs, way, Cost::cpu), median(costs, way, Cost::collectors)));
    }
    System.out.println(line);
  }

  private static double median(List<Cost[]> costs, int way, ToDoubleFunction<Cost> of) {
    double[] values = costs.stream().mapToDouble(round -> of.applyAsDouble(round[way])).sorted().toArray();
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }
}
