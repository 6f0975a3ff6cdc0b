package io.fraudstream.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Sha256;
import io.fraudstream.features.StoredFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Everything needed to score payments, in one file: the Tribuo model, the feature names in the
 * order it expects them, the scaling learnt in training, the tier thresholds, the metrics measured
 * on held-out data and where the model came from.
 *
 * <p>The file is a zip with {@code bundle.json} (the manifest, readable by people) and
 * {@code model.tribuo} (Tribuo's protobuf form, with its full provenance).
 */
public final class ModelBundle {

  static final int FORMAT_VERSION = 4;
  /** Format 2 is format 3 without value ranges; such bundles keep loading. */
  private static final int OLDEST_FORMAT_READ = 2;
  private static final String MANIFEST_ENTRY = "bundle.json";
  private static final String MODEL_ENTRY = "model.tribuo";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      // Metrics are NaN when undefined (e.g. precision of a tier that flagged nothing).
      .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());

  /** The bundle's versions, for the reference pages. */
  public static StoredFormat storedFormat() {
    return new StoredFormat("model bundle", FORMAT_VERSION, IntStream.rangeClosed(OLDEST_FORMAT_READ, FORMAT_VERSION).boxed().toList());
  }

  /** Facts about the data a model was trained on. */
  public record DatasetInfo(String name, long rows, long frauds, String fingerprint, String from, String to) {}

  /**
   * The readable part of a bundle.
   *
   * @param modelVersion a content hash of the model, so equal versions mean equal models
   * @param means per-feature means used to standardise inputs, in {@code features} order
   * @param stds per-feature standard deviations used to standardise inputs
   * @param labelDelayDays the label delay of the entity fraud features the model was trained on
   * @param bins for a linear model over value ranges, each feature's ranges in {@code features}
   *     order (see {@link FeatureBins}); null for other models and in bundles of format 2
   * @param reference the training data's distributions, for drift; null in bundles before format 4,
   *     and then left out of the manifest so that their provenance ids stay as they were
   */
  public record Manifest(
      int formatVersion,
      String modelVersion,
      String createdAt,
      String trainer,
      List<String> features,
      double[] means,
      double[] stds,
      Thresholds thresholds,
      Map<String, Double> metrics,
      DatasetInfo dataset,
      int labelDelayDays,
      List<FeatureBins> bins,
      @JsonInclude(JsonInclude.Include.NON_NULL) DriftReference reference) {}

  private final Model<Label> model;
  private final Manifest manifest;
  private final String provenanceId;

  ModelBundle(Model<Label> model, Manifest manifest) {
    this.model = model;
    this.manifest = manifest;
    this.provenanceId = provenanceOf(manifest);
  }

  private static String provenanceOf(Manifest manifest) {
    try {
      return "bundle-" + Sha256.shortHex(JSON.writeValueAsBytes(manifest), 12);
    } catch (IOException e) {
      throw new IllegalStateException("cannot hash a bundle manifest", e);
    }
  }

  public Model<Label> model() {
    return model;
  }

  public Manifest manifest() {
    return manifest;
  }

  public String version() {
    return manifest.modelVersion();
  }

  /**
   * A hash of the whole manifest: the model's version, its thresholds, its training data and
   * trainer, and when it was made. The model version alone stays the same when only thresholds
   * change; this id tells bundles apart whenever they could decide differently.
   */
  public String provenanceId() {
    return provenanceId;
  }

  public Thresholds thresholds() {
    return manifest.thresholds();
  }

  /** The label delay the model's entity fraud features were computed with; serving must use the same. */
  public Duration labelDelay() {
    return Duration.ofDays(manifest.labelDelayDays());
  }

  /** The same model with other thresholds, e.g. chosen by an analyst. */
  public ModelBundle withThresholds(Thresholds thresholds) {
    Manifest m = manifest;
    return new ModelBundle(model, new Manifest(m.formatVersion(), m.modelVersion(), m.createdAt(), m.trainer(),
        m.features(), m.means(), m.stds(), thresholds, m.metrics(), m.dataset(), m.labelDelayDays(),
        m.bins(), m.reference()));
  }

  /** The same model, remembering the distributions of the data it was trained and tested on. */
  ModelBundle withReference(DriftReference reference) {
    Manifest m = manifest;
    return new ModelBundle(model, new Manifest(m.formatVersion(), m.modelVersion(), m.createdAt(), m.trainer(),
        m.features(), m.means(), m.stds(), m.thresholds(), m.metrics(), m.dataset(), m.labelDelayDays(), m.bins(), reference));
  }

  /** The training data's distributions, or null for a bundle made before bundles kept them. */
  public DriftReference reference() {
    return manifest.reference();
  }

  ModelBundle withMetrics(Map<String, Double> metrics) {
    Manifest m = manifest;
    return new ModelBundle(model, new Manifest(m.formatVersion(), m.modelVersion(), m.createdAt(), m.trainer(),
        m.features(), m.means(), m.stds(), m.thresholds(), Collections.unmodifiableMap(new LinkedHashMap<>(metrics)), m.dataset(),
        m.labelDelayDays(), m.bins(), m.reference()));
  }

  /** Writes the bundle atomically: readers see the old file or the new one, never half of one. */
  public void save(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temporary = Files.createTempFile(parent, ".bundle-", ".tmp");
    try (OutputStream out = Files.newOutputStream(temporary); ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(MANIFEST_ENTRY));
      zip.write(JSON.writeValueAsBytes(manifest));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry(MODEL_ENTRY));
      zip.write(modelBytes(model));
      zip.closeEntry();
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Loads a bundle and checks that this build computes every feature it was trained on. */
  public static ModelBundle load(Path file) {
    return load(file, Feature.names());
  }

  /** Loads a bundle and checks that {@code expectedFeatures}, what the engine computes, hold every feature it was trained on. */
  public static ModelBundle load(Path file, List<String> expectedFeatures) {
    if (!Files.isRegularFile(file)) {
      throw new ModelBundleException("model bundle " + file + " does not exist; train one with 'fraudstream demo' or point --model at a bundle file");
    }
    byte[] manifestBytes = null;
    byte[] modelBytes = null;
    try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        if (MANIFEST_ENTRY.equals(entry.getName())) {
          manifestBytes = zip.readAllBytes();
        } else if (MODEL_ENTRY.equals(entry.getName())) {
          modelBytes = zip.readAllBytes();
        }
      }
    } catch (IOException e) {
      throw new ModelBundleException("model bundle " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (manifestBytes == null || modelBytes == null) {
      throw new ModelBundleException("model bundle " + file + " is not a fraudstream bundle: it needs both "
          + MANIFEST_ENTRY + " and " + MODEL_ENTRY);
    }
    Manifest manifest;
    try {
      manifest = JSON.readValue(manifestBytes, Manifest.class);
    } catch (IOException e) {
      throw new ModelBundleException("model bundle " + file + " has an unreadable manifest: " + e.getMessage(), e);
    }
    if (manifest.formatVersion() < OLDEST_FORMAT_READ || manifest.formatVersion() > FORMAT_VERSION) {
      throw new ModelBundleException("model bundle " + file + " has format " + manifest.formatVersion()
          + "; this build reads formats " + OLDEST_FORMAT_READ + " to " + FORMAT_VERSION);
    }
    checkFeatures(file, manifest.features(), expectedFeatures);
    if (manifest.means() == null || manifest.stds() == null
        || manifest.means().length != manifest.features().size() || manifest.stds().length != manifest.features().size()) {
      throw new ModelBundleException("model bundle " + file + " has scaling that does not match its " + manifest.features().size() + " features");
    }
    if (manifest.bins() != null && (manifest.bins().size() != manifest.features().size() || manifest.bins().contains(null))) {
      throw new ModelBundleException("model bundle " + file + " has value ranges for " + manifest.bins().size() + " features, not its "
          + manifest.features().size());
    }
    try {
      EntityState.checkLabelDelay(Duration.ofDays(manifest.labelDelayDays()));
    } catch (IllegalArgumentException e) {
      throw new ModelBundleException("model bundle " + file + " has an invalid label delay: " + e.getMessage(), e);
    }
    return new ModelBundle(readModel(file, modelBytes), manifest);
  }

  /**
   * A bundle may use fewer features than this engine computes (one made before features were
   * added keeps serving, on its own features), but never one the engine does not compute.
   */
  private static void checkFeatures(Path file, List<String> actual, List<String> expected) {
    List<String> unknown = new ArrayList<>(actual);
    unknown.removeAll(expected);
    if (unknown.isEmpty() && new HashSet<>(actual).size() == actual.size()) {
      return;
    }
    throw new ModelBundleException("model bundle " + file + " was trained on features this engine does not compute ("
        + (unknown.isEmpty() ? "some of them twice" : "unknown " + unknown)
        + "); retrain it with this version so that training and serving use the same features");
  }

  @SuppressWarnings("unchecked")
  private static Model<Label> readModel(Path file, byte[] bytes) {
    Model<?> model;
    try {
      model = Model.deserializeFromStream(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new ModelBundleException("model bundle " + file + " holds a Tribuo model that cannot be read: " + e.getMessage(), e);
    }
    if (!model.validate(Label.class)) {
      throw new ModelBundleException("model bundle " + file + " does not hold a classification model");
    }
    return (Model<Label>) model;
  }

  static byte[] modelBytes(Model<Label> model) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    model.serializeToStream(out);
    return out.toByteArray();
  }

  static String contentHash(byte[] bytes) {
    return Sha256.shortHex(bytes, 12);
  }
}
