package io.fraudstream.models.data;

import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * A dataset's payments in event-time order in bounded memory, for files larger than the heap.
 * A first pass counts the payments and checks their order. A file already in time order is
 * then streamed as it is. Any other is sorted outside memory: chunks of at most {@code chunkRows}
 * payments are sorted and written to temporary files, which are merged. Payments with the same
 * time keep their order in the file, as a stable sort keeps them.
 */
public final class TimeOrderedDataset {

  /** Payments sorted in memory at once: a few hundred megabytes of heap at most. */
  public static final int DEFAULT_CHUNK_ROWS = 250_000;

  private final Path file;
  private final DatasetMapping mapping;
  private final long payments;
  private final boolean inTimeOrder;

  private TimeOrderedDataset(Path file, DatasetMapping mapping, long payments, boolean inTimeOrder) {
    this.file = file;
    this.mapping = mapping;
    this.payments = payments;
    this.inTimeOrder = inTimeOrder;
  }

  /** Reads the file once, holding one payment at a time: how many there are and whether they are in time order. */
  public static TimeOrderedDataset scan(Path file, DatasetMapping mapping) throws IOException {
    Instant[] previous = {Instant.MIN};
    boolean[] ordered = {true};
    long count = DatasetReader.forEach(file, mapping, Long.MAX_VALUE, tx -> {
      if (tx.timestamp().isBefore(previous[0])) {
        ordered[0] = false;
      }
      previous[0] = tx.timestamp();
    }, new HashMap<>());
    return new TimeOrderedDataset(file, mapping, count, ordered[0]);
  }

  public long payments() {
    return payments;
  }

  /** Whether the file lists its payments in time order, so that no sort is needed. */
  public boolean inTimeOrder() {
    return inTimeOrder;
  }

  /**
   * Hands every payment to {@code sink} in time order. A file out of order is sorted through
   * temporary files in {@code tempDirectory}, removed before this returns.
   */
  public void forEach(int chunkRows, Path tempDirectory, Consumer<Transaction> sink) throws IOException {
    if (chunkRows < 1) {
      throw new IllegalArgumentException("chunks must hold at least one payment, got " + chunkRows);
    }
    if (inTimeOrder) {
      DatasetReader.forEach(file, mapping, Long.MAX_VALUE, sink, new HashMap<>());
      return;
    }
    Path directory = Files.createTempDirectory(tempDirectory, "fraudstream-sort-");
    List<Path> chunks = new ArrayList<>();
    try {
      List<Transaction> chunk = new ArrayList<>(Math.min(chunkRows, 1 << 20));
      try {
        DatasetReader.forEach(file, mapping, Long.MAX_VALUE, tx -> {
          chunk.add(tx);
          if (chunk.size() == chunkRows) {
            chunks.add(spill(directory, chunks.size(), chunk));
            chunk.clear();
          }
        }, new HashMap<>());
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      if (chunks.isEmpty()) {
        chunk.sort(Comparator.comparing(Transaction::timestamp));
        chunk.forEach(sink);
        return;
      }
      if (!chunk.isEmpty()) {
        chunks.add(spill(directory, chunks.size(), chunk));
        chunk.clear();
      }
      merge(chunks, sink);
    } finally {
      for (Path chunkFile : chunks) {
        Files.deleteIfExists(chunkFile);
      }
      Files.deleteIfExists(directory);
    }
  }

  /** Sorts a chunk (stably) and writes it as JSON lines. */
  private static Path spill(Path directory, int index, List<Transaction> chunk) {
    chunk.sort(Comparator.comparing(Transaction::timestamp));
    Path chunkFile = directory.resolve("chunk-" + index + ".jsonl");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(chunkFile), 1 << 16)) {
      for (Transaction tx : chunk) {
        out.write(TransactionJson.write(tx));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a sort chunk to " + chunkFile + ": " + e.getMessage(), e);
    }
    return chunkFile;
  }

  /** The head of one chunk in the merge. */
  private record Head(Transaction payment, int chunk) {}

  /** Merges sorted chunks; on equal times the earlier chunk first, which is the file's order. */
  private static void merge(List<Path> chunks, Consumer<Transaction> sink) throws IOException {
    List<BufferedReader> readers = new ArrayList<>();
    try {
      PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing((Head head) -> head.payment().timestamp())
          .thenComparingInt(Head::chunk));
      for (int i = 0; i < chunks.size(); i++) {
        readers.add(Files.newBufferedReader(chunks.get(i), StandardCharsets.UTF_8));
        Transaction first = next(readers.get(i));
        if (first != null) {
          heads.add(new Head(first, i));
        }
      }
      while (!heads.isEmpty()) {
        Head head = heads.poll();
        sink.accept(head.payment());
        Transaction following = next(readers.get(head.chunk()));
        if (following != null) {
          heads.add(new Head(following, head.chunk()));
        }
      }
    } finally {
      for (BufferedReader reader : readers) {
        reader.close();
      }
    }
  }

  private static Transaction next(BufferedReader reader) throws IOException {
    String line = reader.readLine();
    return line == null ? null : TransactionJson.parseOrThrow(line.getBytes(StandardCharsets.UTF_8));
  }
}
