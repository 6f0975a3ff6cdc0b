package io.fraudstream.features;

import java.nio.ByteBuffer;

/**
 * Count and sum of events over a sliding event-time window, in fixed memory.
 *
 * <p>The window is split into {@code buckets} buckets aligned to multiples of the bucket width.
 * A query at time t covers the bucket holding t and the {@code buckets - 1} before it, so it
 * counts every event in the last {@code window - width} and none older than {@code window}:
 * the error is at most one bucket width at the old edge, never at the new one.
 */
final class SlidingWindowCounter {

  private final long bucketMillis;
  private final int[] counts;
  private final double[] sums;
  /** Index (time / width) of the newest bucket written; meaningless while empty. */
  private long newestBucket = Long.MIN_VALUE;

  SlidingWindowCounter(long windowMillis, int buckets) {
    if (windowMillis % buckets != 0) {
      throw new IllegalArgumentException("window must divide into whole buckets");
    }
    this.bucketMillis = windowMillis / buckets;
    this.counts = new int[buckets];
    this.sums = new double[buckets];
  }

  /** Adds one event; events older than the window relative to the newest are ignored. */
  void add(long timeMillis, double amount) {
    long bucket = Math.floorDiv(timeMillis, bucketMillis);
    advanceTo(bucket);
    if (bucket <= newestBucket - counts.length) {
      return;
    }
    int slot = slot(bucket);
    counts[slot]++;
    sums[slot] += amount;
  }

  /** Events in the window ending at the newest event seen. */
  int count() {
    int total = 0;
    for (int count : counts) {
      total += count;
    }
    return total;
  }

  /** Sum of amounts in the window ending at the newest event seen. */
  double sum() {
    double total = 0;
    for (double sum : sums) {
      total += sum;
    }
    return total;
  }

  private void advanceTo(long bucket) {
    if (newestBucket == Long.MIN_VALUE || bucket - newestBucket >= counts.length) {
      java.util.Arrays.fill(counts, 0);
      java.util.Arrays.fill(sums, 0);
      newestBucket = bucket;
      return;
    }
    while (newestBucket < bucket) {
      newestBucket++;
      int slot = slot(newestBucket);
      counts[slot] = 0;
      sums[slot] = 0;
    }
  }

  private int slot(long bucket) {
    return (int) Math.floorMod(bucket, (long) counts.length);
  }

  void clear() {
    java.util.Arrays.fill(counts, 0);
    java.util.Arrays.fill(sums, 0);
    newestBucket = Long.MIN_VALUE;
  }

  int serializedSize() {
    return Long.BYTES + counts.length * (Integer.BYTES + Double.BYTES);
  }

  void write(ByteBuffer out) {
    out.putLong(newestBucket);
    for (int i = 0; i < counts.length; i++) {
      out.putInt(counts[i]);
      out.putDouble(sums[i]);
    }
  }

  void read(ByteBuffer in) {
    newestBucket = in.getLong();
    for (int i = 0; i < counts.length; i++) {
      counts[i] = in.getInt();
      sums[i] = in.getDouble();
    }
  }
}
