package io.fraudstream.models;

import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import io.fraudstream.models.data.FraudKinds;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A dataset read and replayed at once: a reader thread parses the file while this thread finds
 * each payment's states and computes its features, a block of payments at a time, each state's
 * payments in a block together ({@link OfflineReplay.Streaming#nextBlock}), so that replaying
 * adds little to the time reading alone takes. (Finding the states on the reader
 * thread instead was measured slower once the rows were packed: benchmarks/RESULTS.md,
 * 2026-12-06.) A file out of time order cannot be replayed as it is read: from its first
 * payment out of order on, payments are only collected, and replayed sorted once the file is
 * read ({@link OfflineReplay#replay}). Either way the rows are those {@link OfflineReplay#replay}
 * gives for the whole file. Rows replayed as read are held packed ({@link PackedRows}), not as
 * an object and an array each.
 *
 * @param rows every payment's row, in event-time order
 * @param fraudKinds the kind of each fraud, where the mapping names a {@code fraud.type} column
 * @param inTimeOrder whether the file was in time order, so that it was replayed while read
 */
public record ReplayedDataset(List<FeatureRow> rows, FraudKinds fraudKinds, boolean inTimeOrder) {

  /**
   * Payments handed from the reader to the replay at a time. Large, so that a state has many
   * payments in a block to take together; but the replay starts only once the first block is
   * read, and ends up to a block's replay after the file. Of 65,536 and 131,072, measured in fresh
   * JVMs, 131,072 replayed the handbook with less CPU and in less time (benchmarks/RESULTS.md,
   * 2026-12-06, eighth session).
   */
  static final int BLOCK = 131_072;
  private static final List<Transaction> END = List.of();

  /** Reads {@code file} and replays it, counting labels only for payments older than {@code labelDelay}. */
  public static ReplayedDataset read(Path file, DatasetMapping mapping, byte[] hashSecret, Duration labelDelay) throws IOException {
    return read(file, mapping, hashSecret, labelDelay, BLOCK);
  }

  /** As {@link #read(Path, DatasetMapping, byte[], Duration)}, handing the replay {@code block} payments at a time. */
  static ReplayedDataset read(Path file, DatasetMapping mapping, byte[] hashSecret, Duration labelDelay, int block) throws IOException {
    OfflineReplay.Streaming streaming = new OfflineReplay.Streaming(hashSecret, labelDelay);
    BlockingQueue<List<Transaction>> batches = new ArrayBlockingQueue<>(8);
    AtomicReference<FraudKinds> kinds = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      List<List<Transaction>> pending = new ArrayList<>(List.of(new ArrayList<>(block)));
      try {
        kinds.set(DatasetReader.forEach(file, mapping, tx -> {
          List<Transaction> batch = pending.get(0);
          batch.add(tx);
          if (batch.size() == block) {
            hand(batches, batch);
            pending.set(0, new ArrayList<>(block));
          }
        }));
        hand(batches, pending.get(0));
      } catch (Throwable e) {
        failure.set(e);
      } finally {
        handEnd(batches);
      }
    }, "dataset-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      ReplayedDataset replayed = replayAsRead(streaming, batches, hashSecret, labelDelay, kinds);
      rethrow(failure.get());
      return replayed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading " + file);
    } finally {
      reader.interrupt();
    }
  }

  private static ReplayedDataset replayAsRead(OfflineReplay.Streaming streaming, BlockingQueue<List<Transaction>> batches,
      byte[] hashSecret, Duration labelDelay, AtomicReference<FraudKinds> kinds) throws InterruptedException {
    PackedRows rows = new PackedRows();
    List<Transaction> unordered = null;
    for (List<Transaction> batch = batches.take(); batch != END; batch = batches.take()) {
      if (unordered == null) {
        if (streaming.nextBlock(batch, rows)) {
          continue;
        }
        // Out of order: the rows so far are dropped and their payments replayed again, sorted.
        unordered = new ArrayList<>(rows.size() * 2);
        unordered.addAll(rows.payments());
        rows = null;
        streaming = null;
      }
      unordered.addAll(batch);
    }
    if (unordered == null) {
      return new ReplayedDataset(rows, kinds.get(), true);
    }
    return new ReplayedDataset(OfflineReplay.replay(unordered, hashSecret, labelDelay), kinds.get(), false);
  }

  private static void hand(BlockingQueue<List<Transaction>> batches, List<Transaction> batch) {
    try {
      batches.put(batch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("the replay stopped reading"));
    }
  }

  /** The end mark, so that the replaying thread never waits for ever, even after a failure. */
  private static void handEnd(BlockingQueue<List<Transaction>> batches) {
    try {
      batches.put(END);
    } catch (InterruptedException e) {
      // Only the replaying thread interrupts, once it has stopped taking batches.
      Thread.currentThread().interrupt();
    }
  }

  private static void rethrow(Throwable failure) throws IOException {
    if (failure == null) {
      return;
    }
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    throw new IOException(failure);
  }
}
