package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void theReadmeShouldListEveryFeature() throws IOException {
    Path readme = Path.of(System.getProperty("fraudstream.root", ".."), "README.md");
    String text = Files.readString(readme);
    for (Feature feature : Feature.all()) {
      assertTrue(text.contains("| `" + feature.featureName() + "` |"), "README.md does not describe " + feature.featureName());
    }
  }
}
