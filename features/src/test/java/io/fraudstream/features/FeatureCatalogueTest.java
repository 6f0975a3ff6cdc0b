package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
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
}
