package io.fraudstream.features;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * How a user's payments spread over a cycle (hours of the day, days of the week), with older
 * payments weighing less (decay by event time, fixed half-life), in constant memory.
 *
 * <p>Only shares are read, and decaying every bin by the same factor leaves shares unchanged; so
 * instead of shrinking all bins at each payment, each new payment weighs {@code 2^(age of the
 * reference / half-life)} more, and the bins are rescaled only when weights grow large.
 */
final class DecayedHistogram implements StoredForm.Part {

  private static final double RESCALE_ABOVE = 1e100;
  private final double decayPerMilli;
  private final double[] bins;
  private double total;
  /** Event time at which a payment weighs 1. */
  private long referenceMillis;
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
    if (total == 0) {
      referenceMillis = timeMillis;
    }
    // A payment older than the newest seen weighs as if it came at the newest time, as before.
    long at = Math.max(timeMillis, lastMillis);
    double weight = Math.exp(decayPerMilli * (at - referenceMillis));
    if (weight > RESCALE_ABOVE) {
      for (int i = 0; i < bins.length; i++) {
        bins[i] /= weight;
      }
      total /= weight;
      referenceMillis = at;
      weight = 1;
    }
    lastMillis = at;
    bins[bin] += weight;
    total += weight;
  }

  @Override
  public void clear() {
    Arrays.fill(bins, 0);
    total = 0;
    referenceMillis = 0;
    lastMillis = 0;
  }

  @Override
  public int serializedSize() {
    return (bins.length + 1) * Double.BYTES + 2 * Long.BYTES;
  }

  @Override
  public void write(ByteBuffer out) {
    for (double bin : bins) {
      out.putDouble(bin);
    }
    out.putDouble(total);
    out.putLong(referenceMillis);
    out.putLong(lastMillis);
  }

  @Override
  public void read(ByteBuffer in) {
    for (int i = 0; i < bins.length; i++) {
      bins[i] = in.getDouble();
    }
    total = in.getDouble();
    referenceMillis = in.getLong();
    lastMillis = in.getLong();
  }
}
