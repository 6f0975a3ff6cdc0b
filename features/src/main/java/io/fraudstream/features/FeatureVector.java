package io.fraudstream.features;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The values of every {@link Feature} for one payment, in catalogue order. */
public final class FeatureVector {

  private final double[] values;

  public FeatureVector(double[] values) {
    if (values.length != Feature.count()) {
      throw new IllegalArgumentException("expected " + Feature.count() + " feature values, got " + values.length);
    }
    this.values = values;
  }

  public double get(Feature feature) {
    return values[feature.ordinal()];
  }

  /** The value at a position of {@link Feature#names()}. */
  public double get(int index) {
    return values[index];
  }

  /** A copy of the values, in {@link Feature#names()} order. */
  public double[] toArray() {
    return values.clone();
  }

  /** Feature name to value, in catalogue order. */
  public Map<String, Double> toMap() {
    Map<String, Double> map = new LinkedHashMap<>();
    for (Feature feature : Feature.all()) {
      map.put(feature.featureName(), values[feature.ordinal()]);
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
    return other instanceof FeatureVector vector && Arrays.equals(values, vector.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return toMap().toString();
  }
}
