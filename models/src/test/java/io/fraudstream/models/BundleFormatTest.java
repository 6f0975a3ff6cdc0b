package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fraudstream.features.FeatureVector;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle of format {@value ModelBundle#FORMAT_VERSION} as this version saves it, checked in
 * under {@code golden/}: deployed bundles must keep loading, and scoring the same, after an
 * upgrade. Rewrite with {@code -Dfraudstream.golden.write=src/test/resources/golden} only when
 * adding the golden file of a new format beside the old.
 */
class BundleFormatTest {

  private static final byte[] SECRET = "golden-secret-0123456789".getBytes(StandardCharsets.UTF_8);

  @Test
  void shouldLoadTheCheckedInBundleAndScoreAsWhenItWasMade(@TempDir Path dir) throws IOException {
    List<FeatureRow> rows = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(120, 10, 5)), SECRET);
    FeatureVector probe = rows.get(rows.size() - 1).features();
    String write = System.getProperty("fraudstream.golden.write");
    if (write != null) {
      ModelBundle made = ModelTrainer.train(rows, ModelTrainer.Settings.defaults("golden"));
      made.save(Path.of(write).resolve("bundle-v2.bundle"));
      Files.writeString(Path.of(write).resolve("bundle-v2.score"), Double.toString(new ModelScorer(made).score(probe).probability()));
    }
    Path bundle = dir.resolve("bundle-v2.bundle");
    Files.write(bundle, golden("bundle-v2.bundle"));
    ModelBundle loaded = ModelBundle.load(bundle);
    assertEquals(Double.parseDouble(new String(golden("bundle-v2.score"), StandardCharsets.UTF_8).trim()),
        new ModelScorer(loaded).score(probe).probability());
  }

  private static byte[] golden(String name) throws IOException {
    try (InputStream in = BundleFormatTest.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new AssertionError("golden file " + name + " is missing: write it with -Dfraudstream.golden.write=src/test/resources/golden");
      }
      return in.readAllBytes();
    }
  }
}
