package io.fraudstream.models;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.Transaction;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;

/**
 * Replayed rows held as their payments beside large arrays of feature values, many rows to an
 * array, rather than as a row object, a vector object and an array for each payment. A row is
 * made when asked for, sharing the values.
 *
 * <p>Why: a replay keeps every row, and young collections copy every object that survives them.
 * With an object, a vector and an array for each row, the collectors' time of reading and
 * replaying the handbook was 1.0–1.5 s against about 0.5 s for reading alone; packed, it is
 * 0.6–0.8 s (benchmarks/RESULTS.md, 2026-12-06). A block of values is just under 4 MiB: more
 * than half a region at any heap under 16 GB (the launcher's is half the machine's memory), so
 * G1 allocates it as a humongous object, straight in the old generation, and never copies it.
 * Rows are appended, then filled in.
 */
final class PackedRows extends AbstractList<FeatureRow> implements RandomAccess {

  static final int ROWS_PER_BLOCK = (4 * 1024 * 1024 - 64) / (Double.BYTES * Feature.count());
  private final List<Transaction> payments = new ArrayList<>();
  private final List<double[]> blocks = new ArrayList<>();

  /** Appends a row for each of these payments, in their order, its values 0 until {@link #set}. */
  void addAll(List<Transaction> newPayments) {
    payments.addAll(newPayments);
    while ((long) blocks.size() * ROWS_PER_BLOCK < payments.size()) {
      blocks.add(new double[ROWS_PER_BLOCK * Feature.count()]);
    }
  }

  /** Sets a row's {@link Feature#count()} values, copied from {@code values}. */
  void set(int row, double[] values) {
    System.arraycopy(values, 0, blocks.get(row / ROWS_PER_BLOCK), row % ROWS_PER_BLOCK * Feature.count(), Feature.count());
  }

  /** Copies a row's values into {@code into}. */
  void copy(int row, double[] into) {
    System.arraycopy(blocks.get(row / ROWS_PER_BLOCK), row % ROWS_PER_BLOCK * Feature.count(), into, 0, Feature.count());
  }

  /** The payments, in the rows' order. */
  List<Transaction> payments() {
    return payments;
  }

  @Override
  public FeatureRow get(int index) {
    Transaction payment = payments.get(index);
    return new FeatureRow(payment, FeatureVector.within(blocks.get(index / ROWS_PER_BLOCK), index % ROWS_PER_BLOCK * Feature.count()));
  }

  @Override
  public int size() {
    return payments.size();
  }
}
