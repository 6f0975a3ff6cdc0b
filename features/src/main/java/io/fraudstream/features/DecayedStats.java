package io.fraudstream.features;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Exponentially decayed mean and variance of a user's amounts (weighted Welford/West update),
 * so that the user's "usual" follows their habits as they change, in constant memory.
 * Decay is by event time with a fixed half-life.
 */
final class DecayedStats {

  private final double decayPerMilli;
  private double weight;
  private double mean;
  private double squaredDeviations;
  private long lastMillis;

  DecayedStats(long halfLifeMillis) {
    this.decayPerMilli = Math.log(2) / halfLifeMillis;
  }

  void add(long timeMillis, double value) {
    if (weight > 0 && timeMillis > lastMillis) {
      double decay = Math.exp(-decayPerMilli * (timeMillis - lastMillis));
      weight *= decay;
      squaredDeviations *= decay;
    }
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

  double std() {
    return weight > 0 ? Math.sqrt(Math.max(0, squaredDeviations / weight)) : 0;
  }

  void write(DataOutput out) throws IOException {
    out.writeDouble(weight);
    out.writeDouble(mean);
    out.writeDouble(squaredDeviations);
    out.writeLong(lastMillis);
  }

  void read(DataInput in) throws IOException {
    weight = in.readDouble();
    mean = in.readDouble();
    squaredDeviations = in.readDouble();
    lastMillis = in.readLong();
  }
}
