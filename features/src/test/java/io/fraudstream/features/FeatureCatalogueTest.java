package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FeatureCatalogueTest {

  @Test
  void namesShouldBeUniqueAndInVectorOrder() {
    List<String> names = Feature.names();
    assertEquals(Feature.count(), new HashSet<>(names).size());
    for (Feature feature : Feature.all()) {
      assertEquals(feature.featureName(), names.get(feature.ordinal()));
      assertEquals(feature, Feature.byName(feature.featureName()));
    }
  }

  /**
   * Reasons are written without the JDK's formatter for speed; every one must read as the
   * formatter writes it: whole numbers, values a rounding step away from a tie, tiny, huge and
   * random ones, for every feature that can give a reason.
   */
  @Test
  void reasonsShouldReadAsTheJdksFormatterWritesThem() {
    SplittableRandom random = new SplittableRandom(20261207);
    List<Double> values = new ArrayList<>(List.of(0.5, 1.0, 1.5, 2.5, 0.05, 0.15, 0.25, 0.005, 0.045, 2.675, 1.005, 1e-9, 9.5,
        99.95, 999.995, 123456.785, 1e14 + 0.5, 9.999999999999e14, 4503599627370497.0, Double.MIN_VALUE, 0.0, -2.5));
    for (int i = 0; i < 25_000; i++) {
      double scale = Math.pow(10, random.nextInt(-3, 13));
      double value = random.nextDouble() * scale;
      values.add(value);
      values.add(Math.rint(value));
      values.add(Math.rint(value * 100) / 100 + 0.005);   // a tie at two decimals, as written
      values.add(Math.rint(value * 10) / 10 + 0.05);
    }
    int checked = 0;
    for (Feature feature : Feature.all()) {
      if (feature.reasonFormat() == null || feature == Feature.SECONDS_SINCE_PREVIOUS) {
        continue;
      }
      for (double value : values) {
        if (feature.canExplain(value)) {
          assertEquals(String.format(Locale.ROOT, feature.reasonFormat(), value), feature.reason(value),
              feature.featureName() + " at " + value);
          checked++;
        }
      }
    }
    assertTrue(checked > 200_000, checked + " reasons checked");
  }
}
