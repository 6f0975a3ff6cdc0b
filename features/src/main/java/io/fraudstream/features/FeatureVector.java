package io.fraudstream.features;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The values of every {@link Feature} for one payment, in catalogue order. */
public final class FeatureVector {

  private final double[] values;
  /** Where this vector's values start in {@code values}, which may hold other vectors' too. */
  private final int offset;

  public FeatureVector(double[] values) {
    if (values.length != Feature.count()) {
      throw new IllegalArgumentException("expected " + Feature.count() + " feature values, got " + values.length);
    }
    this.values = values;
    this.offset = 0;
  }

  private FeatureVector(double[] values, int offset) {
    this.values = values;
    this.offset = offset;
  }

  /**
   * The vector of the {@link Feature#count()} values from {@code offset} in {@code values},
   * sharing the array rather than copying it: for many rows held in one large array. The caller
   * must not change those values afterwards.
   */
  public static FeatureVector within(double[] values, int offset) {
    if (offset < 0 || offset > values.length - Feature.count()) {
      throw new IllegalArgumentException("no " + Feature.count() + " feature values from " + offset + " in " + values.length);
    }
    return new FeatureVector(values, offset);
  }

  public double get(Feature feature) {
    return values[offset + feature.ordinal()];
  }

  /** The value at a position of {@link Feature#names()}. */
  public double get(int index) {
    // Checked here, not by the array: past this vector's end lie another vector's values.
    return values[offset + Objects.checkIndex(index, Feature.count())];
  }

  /** A copy of the values, in {@link Feature#names()} order. */
  public double[] toArray() {
    return Arrays.copyOfRange(values, offset, offset + Feature.count());
  }

  /** Feature name to value, in catalogue order. */
  public Map<String, Double> toMap() {
    Map<String, Double> map = new LinkedHashMap<>();
    for (Feature feature : Feature.all()) {
      map.put(feature.featureName(), get(feature));
    }
    return map;
  }

  /** Rebuilds a vector from a name-to-value map, e.g. one read back from a decision. */
  public static FeatureVector fromMap(Map<String, Double> map) {
    double[] values = new double[Feature.count()];
    for (Feature feature : Feature.all()) {
      Double value = map.get(feature.featureName());
      if (value == null) {
        throw new IllegalArgumentException("feature '" + feature.featureName() + "' is missing");
      }
      values[feature.ordinal()] = value;
    }
    return new FeatureVector(values);
  }

  @Override
  public boolean equals(Object other) {
    int count = Feature.count();
    return other instanceof FeatureVector vector
        && Arrays.equals(values, offset, offset + count, vector.values, vector.offset, vector.offset + count);
  }

  /** As {@link Arrays#hashCode(double[])} of {@link #toArray()}, without the copy. */
  @Override
  public int hashCode() {
    int hash = 1;
    for (int i = offset; i < offset + Feature.count(); i++) {
      long bits = Double.doubleToLongBits(values[i]);
      hash = 31 * hash + (int) (bits ^ (bits >>> 32));
    }
    return hash;
  }

  @Override
  public String toString() {
    return toMap().toString();
  }
}
