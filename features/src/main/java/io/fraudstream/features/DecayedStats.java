package io.fraudstream.features;

import java.nio.ByteBuffer;

/**
 * Exponentially decayed mean and variance of a user's amounts (weighted Welford/West update),
 * so that the user's "usual" follows their habits as they change, in constant memory.
 * Decay is by event time with a fixed half-life.
 */
final class DecayedStats implements StoredForm.Part {

  private final double decayPerMilli;
  private double weight;
  private double mean;
  private double squaredDeviations;
  private double max;
  private long lastMillis;

  DecayedStats(long halfLifeMillis) {
    this.decayPerMilli = Math.log(2) / halfLifeMillis;
  }

  void add(long timeMillis, double value) {
    if (weight > 0 && timeMillis > lastMillis) {
      double decay = Math.exp(-decayPerMilli * (timeMillis - lastMillis));
      weight *= decay;
      squaredDeviations *= decay;
      max *= decay;
    }
    max = Math.max(max, value);
    lastMillis = Math.max(lastMillis, timeMillis);
    weight += 1;
    double delta = value - mean;
    mean += delta / weight;
    squaredDeviations += delta * (value - mean);
  }

  /** Decayed number of observations (1.0 after one, approaching 1/(1-decay) at steady state). */
  double weight() {
    return weight;
  }

  double mean() {
    return mean;
  }

  /** The largest amount, decayed like the rest, so one old outlier fades. */
  double max() {
    return max;
  }

  double std() {
    return weight > 0 ? Math.sqrt(Math.max(0, squaredDeviations / weight)) : 0;
  }

  @Override
  public void clear() {
    weight = 0;
    mean = 0;
    squaredDeviations = 0;
    max = 0;
    lastMillis = 0;
  }

  static final int SERIALIZED_SIZE = 4 * Double.BYTES + Long.BYTES;

  @Override
  public int serializedSize() {
    return SERIALIZED_SIZE;
  }

  @Override
  public void write(ByteBuffer out) {
    out.putDouble(weight);
    out.putDouble(mean);
    out.putDouble(squaredDeviations);
    out.putDouble(max);
    out.putLong(lastMillis);
  }

  @Override
  public void read(ByteBuffer in) {
    weight = in.getDouble();
    mean = in.getDouble();
    squaredDeviations = in.getDouble();
    max = in.getDouble();
    lastMillis = in.getLong();
  }
}
