package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureBinsTest {

  /** Amounts 0, 1, …, {@code count - 1} in a shuffled order, fraud above {@code fraudAbove}. */
  private static double[] amounts(int count, long seed) {
    double[] values = new double[count];
    for (int i = 0; i < count; i++) {
      values[i] = i;
    }
    Random random = new Random(seed);
    for (int i = count - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      double swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
    return values;
  }

  private static boolean[] above(double[] values, double threshold) {
    boolean[] fraud = new boolean[values.length];
    for (int i = 0; i < values.length; i++) {
      fraud[i] = values[i] > threshold;
    }
    return fraud;
  }

  @Test
  void shouldCutWhereFraudBegins() {
    double[] values = amounts(1000, 1);
    FeatureBins bins = FeatureBins.learn(values, above(values, 700), 1, 4);
    assertTrue(Arrays.stream(bins.cuts()).anyMatch(cut -> cut == 700.5), Arrays.toString(bins.cuts()));
    assertTrue(bins.binOf(700) < bins.binOf(701));
    assertEquals(bins.cuts().length + 1, bins.count());
    // The step is the whole signal: once it is cut, no other split gains anything.
    assertArrayEquals(new double[] {700.5}, bins.cuts());
    assertArrayEquals(new double[] {0.701, 0.299}, bins.shares(), 1e-12);
    assertEquals("amount <= 700.5", bins.describe("amount", 0));
    assertEquals("700.5 < amount", bins.describe("amount", 1));
  }

  @Test
  void shouldTakeTheBestSplitsFirstAndKeepEnoughPaymentsInEachRange() {
    // Fraud in a band, 300 < v <= 600: two cuts make it; a third range would fit noise.
    double[] values = amounts(1000, 2);
    boolean[] fraud = new boolean[values.length];
    for (int i = 0; i < values.length; i++) {
      fraud[i] = values[i] > 300 && values[i] <= 600;
    }
    FeatureBins bins = FeatureBins.learn(values, fraud, 1, 8);
    assertArrayEquals(new double[] {300.5, 600.5}, bins.cuts());
    assertEquals("300.5 < amount <= 600.5", bins.describe("amount", 1));
    assertEquals(1, FeatureBins.learn(values, fraud, 1, 2).cuts().length, "at most two ranges when two are asked for");

    // Fraud only among the top 10 payments: a range of 10 is too small to learn a weight from.
    FeatureBins few = FeatureBins.learn(values, above(values, 989), 1, 4);
    for (double share : few.shares()) {
      assertTrue(share * values.length >= FeatureBins.MIN_ROWS_PER_BIN, Arrays.toString(few.shares()));
    }
    assertTrue(Arrays.stream(few.cuts()).noneMatch(cut -> cut > 1000 - FeatureBins.MIN_ROWS_PER_BIN), Arrays.toString(few.cuts()));
  }

  @Test
  void shouldWeighFraudByItsWeight() {
    // Ten frauds among 1,000, each at its own value: unweighted they barely move the impurity; weighted 50, they make the cut.
    double[] values = amounts(1000, 3);
    boolean[] fraud = above(values, 899);
    for (int i = 0; i < values.length; i++) {
      fraud[i] &= values[i] % 10 == 0;
    }
    assertEquals(0, FeatureBins.learn(values, fraud, 0.001, 4).cuts().length);
    assertTrue(FeatureBins.learn(values, fraud, 50, 4).cuts().length > 0);
  }

  @Test
  void aConstantFeatureShouldKeepOneRange() {
    double[] values = new double[500];
    boolean[] fraud = new boolean[500];
    fraud[7] = true;
    FeatureBins bins = FeatureBins.learn(values, fraud, 20, 4);
    assertEquals(1, bins.count());
    assertEquals(0, bins.binOf(123));
    assertEquals("amount", bins.describe("amount", 0));
  }

  @Test
  void shouldRefuseCutsOutOfOrder() {
    assertThrows(IllegalArgumentException.class, () -> new FeatureBins(new double[] {2, 1}, new double[] {0.3, 0.3, 0.4}));
    assertThrows(IllegalArgumentException.class, () -> new FeatureBins(new double[] {1}, new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> new FeatureBins(new double[] {Double.NaN}, new double[] {0.5, 0.5}));
    assertThrows(IllegalArgumentException.class, () -> new FeatureBins(new double[] {1}, new double[] {Double.NaN, 0.5}));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new FeatureBins(new double[64], new double[65])).getMessage()
        .contains("at most 64 value ranges"));
  }
}
