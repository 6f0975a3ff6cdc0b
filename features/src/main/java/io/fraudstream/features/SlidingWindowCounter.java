package io.fraudstream.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Count and sum of events over a sliding event-time window, in fixed memory.
 *
 * <p>The window is split into {@code buckets} buckets aligned to multiples of the bucket width.
 * A query at time t covers the bucket holding t and the {@code buckets - 1} before it, so it
 * counts every event in the last {@code window - width} and none older than {@code window}:
 * the error is at most one bucket width at the old edge, never at the new one.
 */
final class SlidingWindowCounter implements StoredForm.Part {

  private final long bucketMillis;
  private final int buckets;
  /**
   * Each bucket's count, then its sum, side by side in one array: a payment reads and writes a
   * bucket's two in one cache line, and a state made of many counters has half the objects to
   * fetch. Counts are whole numbers far below 2^53, so a double holds them exactly.
   */
  private final double[] countsAndSums;
  /** Index (time / width) of the newest bucket written; meaningless while empty. */
  private long newestBucket = Long.MIN_VALUE;
  /**
   * The slot of the newest bucket, {@code newestBucket mod buckets}, kept so that a payment steps
   * from slot to slot instead of dividing 64-bit numbers for every bucket it passes.
   */
  private int newestSlot;
  // Running totals of the buckets, so a query does not re-add them on every payment.
  private int totalCount;
  private double totalSum;

  SlidingWindowCounter(long windowMillis, int buckets) {
    if (windowMillis % buckets != 0) {
      throw new IllegalArgumentException("window must divide into whole buckets");
    }
    this.bucketMillis = windowMillis / buckets;
    this.buckets = buckets;
    this.countsAndSums = new double[2 * buckets];
  }

  /** Adds one event; events older than the window relative to the newest are ignored. */
  void add(long timeMillis, double amount) {
    long bucket = Math.floorDiv(timeMillis, bucketMillis);
    advanceTo(bucket);
    if (bucket <= newestBucket - buckets) {
      return;
    }
    int at = 2 * slotBefore(newestBucket - bucket);
    countsAndSums[at]++;
    countsAndSums[at + 1] += amount;
    totalCount++;
    totalSum += amount;
  }

  /** Events in the window ending at the newest event seen. */
  int count() {
    return totalCount;
  }

  /**
   * Events in the window ending at {@code timeMillis}, without moving the window: for a count read
   * at a payment's time from events (such as challenge results) added at other times.
   */
  int countAt(long timeMillis) {
    long bucket = Math.floorDiv(timeMillis, bucketMillis);
    if (newestBucket == Long.MIN_VALUE || bucket - newestBucket >= buckets) {
      return 0;
    }
    if (bucket <= newestBucket) {
      return totalCount;
    }
    // The window ending at bucket keeps only the newest buckets - (bucket - newestBucket) written.
    int count = 0;
    for (long back = 0; back < buckets - (bucket - newestBucket); back++) {
      count += (int) countsAndSums[2 * slotBefore(back)];
    }
    return count;
  }

  /** Sum of amounts in the window ending at the newest event seen. */
  double sum() {
    // Subtracting expired buckets can leave rounding residue; an empty window sums to exactly 0.
    return totalCount == 0 ? 0 : totalSum;
  }

  /** The start of the newest bucket written to (a lower bound of the newest event's time), or Long.MIN_VALUE if none. */
  long newestMillis() {
    return newestBucket == Long.MIN_VALUE ? Long.MIN_VALUE : newestBucket * bucketMillis;
  }

  private void advanceTo(long bucket) {
    if (newestBucket == Long.MIN_VALUE || bucket - newestBucket >= buckets) {
      clear();
      newestBucket = bucket;
      newestSlot = (int) Math.floorMod(bucket, (long) buckets);
      return;
    }
    while (newestBucket < bucket) {
      newestBucket++;
      newestSlot = newestSlot == buckets - 1 ? 0 : newestSlot + 1;
      int at = 2 * newestSlot;
      totalCount -= (int) countsAndSums[at];
      totalSum -= countsAndSums[at + 1];
      countsAndSums[at] = 0;
      countsAndSums[at + 1] = 0;
    }
  }

  /** The slot of the bucket {@code back} buckets before the newest, {@code 0 <= back < buckets}. */
  private int slotBefore(long back) {
    int slot = newestSlot - (int) back;
    return slot < 0 ? slot + buckets : slot;
  }

  @Override
  public void clear() {
    // Amounts are only ever added with a count, so no count means every bucket is already zero.
    if (totalCount != 0) {
      Arrays.fill(countsAndSums, 0);
    }
    totalCount = 0;
    totalSum = 0;
    newestBucket = Long.MIN_VALUE;
  }

  @Override
  public int serializedSize() {
    return Long.BYTES + Double.BYTES + buckets * (Integer.BYTES + Double.BYTES);
  }

  // The running sum is stored as it is rather than re-added on reading: a different order of
  // additions rounds differently, and the store and the offline replay must agree to the bit.
  @Override
  public void write(ByteBuffer out) {
    out.putLong(newestBucket);
    out.putDouble(totalSum);
    for (int i = 0; i < buckets; i++) {
      out.putInt((int) countsAndSums[2 * i]);
      out.putDouble(countsAndSums[2 * i + 1]);
    }
  }

  @Override
  public void read(ByteBuffer in) {
    newestBucket = in.getLong();
    newestSlot = (int) Math.floorMod(newestBucket, (long) buckets);
    totalSum = in.getDouble();
    totalCount = 0;
    for (int i = 0; i < buckets; i++) {
      int count = in.getInt();
      countsAndSums[2 * i] = count;
      countsAndSums[2 * i + 1] = in.getDouble();
      totalCount += count;
    }
  }
}
