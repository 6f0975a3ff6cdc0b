package io.fraudstream.features;

import java.nio.ByteBuffer;

/**
 * A user's last few payments, most recent first: for each, a hash of its id, the keyed hashes of
 * its device and payee, whether they were new to the user then, and whether a challenge result
 * has been applied to it. A challenge result names only its payment; this is how the user's task
 * finds which device and payee the result is about, without remembering every payment.
 */
final class RecentPayments implements StoredForm.Part {

  static final byte HAS_DEVICE = 1;
  static final byte DEVICE_WAS_NEW = 2;
  static final byte HAS_PAYEE = 4;
  static final byte PAYEE_WAS_NEW = 8;
  static final byte ANSWERED = 16;
  private static final int ENTRY_BYTES = 3 * Long.BYTES + 1;

  private final long[] ids;
  private final long[] devices;
  private final long[] payees;
  private final byte[] flags;
  private int size;

  RecentPayments(int capacity) {
    ids = new long[capacity];
    devices = new long[capacity];
    payees = new long[capacity];
    flags = new byte[capacity];
  }

  /** Remembers a payment as the most recent, forgetting the oldest when full. */
  void add(long id, long device, long payee, byte flag) {
    int shift = Math.min(size, ids.length - 1);
    System.arraycopy(ids, 0, ids, 1, shift);
    System.arraycopy(devices, 0, devices, 1, shift);
    System.arraycopy(payees, 0, payees, 1, shift);
    System.arraycopy(flags, 0, flags, 1, shift);
    ids[0] = id;
    devices[0] = device;
    payees[0] = payee;
    flags[0] = flag;
    if (size < ids.length) {
      size++;
    }
  }

  /** The position of the most recent payment with this id hash, or -1. */
  int find(long id) {
    for (int i = 0; i < size; i++) {
      if (ids[i] == id) {
        return i;
      }
    }
    return -1;
  }

  boolean has(int position, byte flag) {
    return (flags[position] & flag) != 0;
  }

  long device(int position) {
    return devices[position];
  }

  long payee(int position) {
    return payees[position];
  }

  void markAnswered(int position) {
    flags[position] |= ANSWERED;
  }

  /** A 64-bit FNV-1a hash of a payment id: ids are matched, not protected, so no key is needed. */
  static long idHash(String paymentId) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < paymentId.length(); i++) {
      hash ^= paymentId.charAt(i);
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  @Override
  public void clear() {
    size = 0;
  }

  @Override
  public int serializedSize() {
    return 1 + size * ENTRY_BYTES;
  }

  @Override
  public void write(ByteBuffer out) {
    out.put((byte) size);
    for (int i = 0; i < size; i++) {
      out.putLong(ids[i]).putLong(devices[i]).putLong(payees[i]).put(flags[i]);
    }
  }

  @Override
  public void read(ByteBuffer in) {
    int stored = Byte.toUnsignedInt(in.get());
    if (stored > ids.length) {
      throw new IllegalArgumentException("recent payments hold " + stored + " entries, capacity is " + ids.length);
    }
    size = stored;
    for (int i = 0; i < size; i++) {
      ids[i] = in.getLong();
      devices[i] = in.getLong();
      payees[i] = in.getLong();
      flags[i] = in.get();
    }
  }
}
