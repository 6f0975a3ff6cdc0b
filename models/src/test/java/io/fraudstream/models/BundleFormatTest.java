package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.FeatureVector;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bundles of each format this version reads, as the version that made them saved them, checked
 * in under {@code golden/}: deployed bundles must keep loading, and scoring the same (to the last
 * few bits), after an upgrade. Format 2 is a logistic regression of slopes alone; format 3 added value ranges
 * ({@link FeatureBins}), and its golden bundle has them; format 4 added the training data's
 * distributions ({@link DriftReference}). Write the current format's file with
 * {@code -Dfraudstream.golden.write=src/test/resources/golden}, only when adding a new format
 * beside the old.
 */
class BundleFormatTest {

  private static final byte[] SECRET = "golden-secret-0123456789".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void shouldLoadTheCheckedInBundleAndScoreAsWhenItWasMade(int format, @TempDir Path dir) throws IOException {
    List<FeatureRow> rows = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(120, 10, 5)), SECRET);
    FeatureVector probe = rows.get(rows.size() - 1).features();
    String name = "bundle-v" + format;
    String write = System.getProperty("fraudstream.golden.write");
    if (write != null && format == ModelBundle.FORMAT_VERSION) {
      ModelBundle made = ModelTrainer.train(rows, ModelTrainer.Settings.defaults("golden").withTrainer(TrainerSpec.parse("logistic:bins=4")));
      made.save(Path.of(write).resolve(name + ".bundle"));
      Files.writeString(Path.of(write).resolve(name + ".score"), Double.toString(new ModelScorer(made).score(probe).probability()));
    }
    Path bundle = dir.resolve(name + ".bundle");
    Files.write(bundle, golden(name + ".bundle"));
    ModelBundle loaded = ModelBundle.load(bundle);
    assertEquals(format, loaded.manifest().formatVersion());
    assertEquals(format >= 3, loaded.manifest().bins() != null, "value ranges came with format 3");
    assertEquals(format >= 4, loaded.reference() != null, "the training distributions came with format 4");
    // To the last few bits only: logistic regression is now scored from its weights, not by
    // Tribuo, and sums in another order.
    double whenMade = Double.parseDouble(new String(golden(name + ".score"), StandardCharsets.UTF_8).trim());
    assertEquals(whenMade, new ModelScorer(loaded).score(probe).probability(), 1e-12 * whenMade);
  }

  @Test
  void shouldRefuseAFormatItDoesNotRead(@TempDir Path dir) throws IOException {
    Path newer = dir.resolve("newer.bundle");
    Path older = dir.resolve("older.bundle");
    Files.write(newer, withManifest(golden("bundle-v3.bundle"), "\"formatVersion\" : 3", "\"formatVersion\" : " + (ModelBundle.FORMAT_VERSION + 1)));
    Files.write(older, withManifest(golden("bundle-v2.bundle"), "\"formatVersion\" : 2", "\"formatVersion\" : 1"));
    for (Path file : List.of(newer, older)) {
      ModelBundleException error = assertThrows(ModelBundleException.class, () -> ModelBundle.load(file));
      assertTrue(error.getMessage().contains("this build reads formats 2 to " + ModelBundle.FORMAT_VERSION), error.getMessage());
    }
  }

  @Test
  void shouldRefuseValueRangesThatDoNotFitTheFeatures(@TempDir Path dir) throws IOException {
    byte[] golden = golden("bundle-v3.bundle");
    Path shortOfOne = dir.resolve("short.bundle");
    Files.write(shortOfOne, withManifest(golden, "\"bins\" : \\[ \\{\\s*\"cuts\" : \\[ \\],\\s*\"shares\" : \\[ 1.0 \\]\\s*\\}, ", "\"bins\" : [ "));
    ModelBundleException error = assertThrows(ModelBundleException.class, () -> ModelBundle.load(shortOfOne));
    Path intact = Files.write(dir.resolve("intact.bundle"), golden);
    int features = ModelBundle.load(intact).manifest().features().size();
    assertTrue(error.getMessage().contains("value ranges for " + (features - 1) + " features, not its " + features), error.getMessage());
    Path descending = dir.resolve("descending.bundle");
    Files.write(descending, withManifest(golden, "\"cuts\" : \\[ 10.425, 15.285, 92.45 \\]", "\"cuts\" : [ 92.45, 15.285, 10.425 ]"));
    error = assertThrows(ModelBundleException.class, () -> ModelBundle.load(descending));
    assertTrue(error.getMessage().contains("unreadable manifest") && error.getMessage().contains("ascending"), error.getMessage());
    Path notANumber = dir.resolve("nan.bundle");
    Files.write(notANumber, withManifest(golden, "\"shares\" : \\[ 1.0 \\]", "\"shares\" : [ NaN ]"));
    error = assertThrows(ModelBundleException.class, () -> ModelBundle.load(notANumber));
    assertTrue(error.getMessage().contains("within [0, 1]"), error.getMessage());
  }

  /** The bundle with the first match of {@code regex} in its manifest replaced. */
  private static byte[] withManifest(byte[] bundle, String regex, String replacement) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bundle)); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        byte[] bytes = in.readAllBytes();
        if (entry.getName().equals("bundle.json")) {
          String manifest = new String(bytes, StandardCharsets.UTF_8);
          String changed = manifest.replaceFirst(regex, replacement);
          assertTrue(!changed.equals(manifest), manifest);
          bytes = changed.getBytes(StandardCharsets.UTF_8);
        }
        zip.putNextEntry(new ZipEntry(entry.getName()));
        zip.write(bytes);
        zip.closeEntry();
      }
    }
    return out.toByteArray();
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
