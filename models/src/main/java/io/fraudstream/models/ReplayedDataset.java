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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A dataset read and replayed at once: a reader thread parses the file and finds each payment's
 * states while this thread computes its features ({@link OfflineReplay.Streaming}), so that
 * replaying adds little to the time reading alone takes. A file out of time order cannot be
 * replayed as it is read: from its first payment out of order on, payments are only collected,
 * and replayed sorted once the file is read ({@link OfflineReplay#replay}). Either way the rows
 * are those {@link OfflineReplay#replay} gives for the whole file.
 *
 * @param rows every payment's row, in event-time order
 * @param fraudKinds the kind of each fraud, where the mapping names a {@code fraud.type} column
 * @param inTimeOrder whether the file was in time order, so that it was replayed while read
 */
public record ReplayedDataset(List<FeatureRow> rows, FraudKinds fraudKinds, boolean inTimeOrder) {

  private static final int BATCH = 4_096;
  private static final List<OfflineReplay.Located> END = List.of();

  /** Reads {@code file} and replays it, counting labels only for payments older than {@code labelDelay}. */
  public static ReplayedDataset read(Path file, DatasetMapping mapping, byte[] hashSecret, Duration labelDelay) throws IOException {
    OfflineReplay.Streaming streaming = new OfflineReplay.Streaming(hashSecret, labelDelay);
    BlockingQueue<List<OfflineReplay.Located>> batches = new ArrayBlockingQueue<>(32);
    AtomicReference<FraudKinds> kinds = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      List<List<OfflineReplay.Located>> pending = new ArrayList<>(List.of(new ArrayList<>(BATCH)));
      Instant[] latest = {Instant.MIN};
      try {
        kinds.set(DatasetReader.forEach(file, mapping, tx -> {
          List<OfflineReplay.Located> batch = pending.get(0);
          if (latest[0] != null && tx.timestamp().isBefore(latest[0])) {
            latest[0] = null;   // out of order: from here on, payments are only collected
          }
          if (latest[0] != null) {
            latest[0] = tx.timestamp();
            // Finding the states here takes that work, and the maps' cache lines, off the
            // replaying thread, the slower of the two: its CPU fell by about a sixth.
            batch.add(streaming.locate(tx));
          } else {
            batch.add(OfflineReplay.Located.unlocated(tx));
          }
          if (batch.size() == BATCH) {
            hand(batches, batch);
            pending.set(0, new ArrayList<>(BATCH));
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

  private static ReplayedDataset replayAsRead(OfflineReplay.Streaming streaming, BlockingQueue<List<OfflineReplay.Located>> batches,
      byte[] hashSecret, Duration labelDelay, AtomicReference<FraudKinds> kinds) throws InterruptedException {
    List<FeatureRow> rows = new ArrayList<>();
    List<Transaction> unordered = null;
    for (List<OfflineReplay.Located> batch = batches.take(); batch != END; batch = batches.take()) {
      for (OfflineReplay.Located located : batch) {
        if (unordered == null && !located.isLocated()) {
          // Out of order: the rows so far are dropped and their payments replayed again, sorted.
          unordered = new ArrayList<>(rows.size() * 2);
          for (FeatureRow row : rows) {
            unordered.add(row.transaction());
          }
          rows = null;
        }
        if (unordered != null) {
          unordered.add(located.transaction());
        } else {
          rows.add(streaming.next(located));
        }
      }
    }
    if (unordered == null) {
      return new ReplayedDataset(rows, kinds.get(), true);
    }
    return new ReplayedDataset(OfflineReplay.replay(unordered, hashSecret, labelDelay), kinds.get(), false);
  }

  private static void hand(BlockingQueue<List<OfflineReplay.Located>> batches, List<OfflineReplay.Located> batch) {
    try {
      batches.put(batch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("the replay stopped reading"));
    }
  }

  /** The end mark, so that the replaying thread never waits for ever, even after a failure. */
  private static void handEnd(BlockingQueue<List<OfflineReplay.Located>> batches) {
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
