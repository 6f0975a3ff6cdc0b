package io.fraudstream.features;

import java.nio.ByteBuffer;

/**
 * How a user's payments spread over a cycle (hours of the day, days of the week), with older
 * payments weighing less (decay by event time, fixed half-life), in constant memory.
 */
final class DecayedHistogram {

  private final double decayPerMilli;
  private final double[] bins;
  private double total;
  private long lastMillis;

  DecayedHistogram(int bins, long halfLifeMillis) {
    this.bins = new double[bins];
    this.decayPerMilli = Math.log(2) / halfLifeMillis;
  }

  /** The share of the user's (decayed) earlier payments that fell in {@code bin}; 1 without history. */
  double share(int bin) {
    return total > 0 ? bins[bin] / total : 1;
  }

  void add(long timeMillis, int bin) {
    if (total > 0 && timeMillis > lastMillis) {
      double decay = Math.exp(-decayPerMilli * (timeMillis - lastMillis));
      for (int i = 0; i < bins.length; i++) {
        bins[i] *= decay;
      }
      total *= decay;
    }
    lastMillis = Math.max(lastMillis, timeMillis);
    bins[bin] += 1;
    total += 1;
  }

  void clear() {
    java.util.Arrays.fill(bins, 0);
    total = 0;
    lastMillis = 0;
  }

  int serializedSize() {
    return (bins.length + 1) * Double.BYTES + Long.BYTES;
  }

  void write(ByteBuffer out) {
    for (double bin : bins) {
      out.putDouble(bin);
    }
    out.putDouble(total);
    out.putLong(lastMillis);
  }

  void read(ByteBuffer in) {
    for (int i = 0; i < bins.length; i++) {
      bins[i] = in.getDouble();
    }
    total = in.getDouble();
    lastMillis = in.getLong();
  }
}
