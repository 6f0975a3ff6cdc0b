package io.fraudstream.features;

import java.nio.ByteBuffer;
import java.util.function.LongPredicate;

/**
 * The last {@code capacity} distinct keyed hashes a user was seen with, most recent first, each
 * with when it was last seen. Bounded: when full, the least recently seen is forgotten, so "new"
 * means "not among the recent ones".
 */
final class RecentSet implements StoredForm.Part {

  private final long[] hashes;
  private final long[] lastSeen;
  private int size;

  RecentSet(int capacity) {
    this.hashes = new long[capacity];
    this.lastSeen = new long[capacity];
  }

  /** Records the hash as seen at {@code timeMillis}; returns true if it was not already present. */
  boolean touch(long hash, long timeMillis) {
    int found = -1;
    for (int i = 0; i < size; i++) {
      if (hashes[i] == hash) {
        found = i;
        break;
      }
    }
    boolean isNew = found < 0;
    long seen = isNew ? timeMillis : Math.max(timeMillis, lastSeen[found]);
    int shiftFrom = isNew ? Math.min(size, hashes.length - 1) : found;
    System.arraycopy(hashes, 0, hashes, 1, shiftFrom);
    System.arraycopy(lastSeen, 0, lastSeen, 1, shiftFrom);
    hashes[0] = hash;
    lastSeen[0] = seen;
    if (isNew && size < hashes.length) {
      size++;
    }
    return isNew;
  }

  /** Whether the hash is among those remembered. */
  boolean contains(long hash) {
    for (int i = 0; i < size; i++) {
      if (hashes[i] == hash) {
        return true;
      }
    }
    return false;
  }

  /** Forgets the hash, if remembered, as if it had never been seen. */
  void remove(long hash) {
    for (int i = 0; i < size; i++) {
      if (hashes[i] == hash) {
        System.arraycopy(hashes, i + 1, hashes, i, size - i - 1);
        System.arraycopy(lastSeen, i + 1, lastSeen, i, size - i - 1);
        size--;
        return;
      }
    }
  }

  /** Forgets every hash {@code forgotten} accepts; returns whether any was remembered. */
  boolean removeIf(LongPredicate forgotten) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (!forgotten.test(hashes[i])) {
        hashes[kept] = hashes[i];
        lastSeen[kept] = lastSeen[i];
        kept++;
      }
    }
    boolean removed = kept < size;
    size = kept;
    return removed;
  }

  /** Distinct hashes last seen after {@code sinceMillis} (exclusive), among those remembered. */
  int seenSince(long sinceMillis) {
    int count = 0;
    for (int i = 0; i < size; i++) {
      if (lastSeen[i] > sinceMillis) {
        count++;
      }
    }
    return count;
  }

  /**
   * Writes to {@code v} at the three features the distinct hashes last seen after each of three
   * times, in one pass: {@link #seenSince} three times over, for the 1-, 7- and 30-day counts.
   */
  void seenSince(long a, long b, long c, double[] v, Feature atA, Feature atB, Feature atC) {
    int countA = 0;
    int countB = 0;
    int countC = 0;
    for (int i = 0; i < size; i++) {
      long seen = lastSeen[i];
      countA += seen > a ? 1 : 0;
      countB += seen > b ? 1 : 0;
      countC += seen > c ? 1 : 0;
    }
    v[atA.ordinal()] = countA;
    v[atB.ordinal()] = countB;
    v[atC.ordinal()] = countC;
  }

  @Override
  public void clear() {
    size = 0;
  }

  int size() {
    return size;
  }

  @Override
  public int serializedSize() {
    return 1 + size * 2 * Long.BYTES;
  }

  @Override
  public void write(ByteBuffer out) {
    out.put((byte) size);
    for (int i = 0; i < size; i++) {
      out.putLong(hashes[i]);
      out.putLong(lastSeen[i]);
    }
  }

  @Override
  public void read(ByteBuffer in) {
    int stored = Byte.toUnsignedInt(in.get());
    if (stored > hashes.length) {
      throw new IllegalArgumentException("recent set holds " + stored + " entries, capacity is " + hashes.length);
    }
    size = stored;
    for (int i = 0; i < size; i++) {
      hashes[i] = in.getLong();
      lastSeen[i] = in.getLong();
    }
  }
}
