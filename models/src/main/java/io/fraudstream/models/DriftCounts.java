package io.fraudstream.models;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Live (or a dataset's) values counted in the bins of a bundle's {@link DriftReference}, and how
 * far they have moved from it: the same code for the engine's windows and for {@code fraudstream
 * monitor}. One bin lookup per feature per payment. Not thread-safe.
 */
public final class DriftCounts {

  /** Below this many payments a window's index is mostly sampling noise, and is not given. */
  public static final long MIN_PAYMENTS = 500;

  /** A feature and how far it moved. */
  public record Drift(String feature, double psi) {}

  private final DriftReference reference;
  private final List<String> names;
  /** For each of the bundle's features, its place in the catalogue's vector. */
  private final int[] columns;
  private final long[][] features;
  private final long[] score;
  private final long[][] labelled;
  private long payments;

  /** Counts for {@code bundle}, which must have a reference ({@link ModelBundle#reference()}). */
  public DriftCounts(ModelBundle bundle) {
    this.reference = bundle.reference();
    if (reference == null) {
      throw new IllegalArgumentException("model bundle " + bundle.version() + " keeps no training distributions (made before format 4): "
          + "retrain it to watch its drift");
    }
    this.names = bundle.manifest().features();
    this.columns = names.stream().mapToInt(name -> Feature.byName(name).ordinal()).toArray();
    this.features = new long[reference.features().size()][];
    for (int i = 0; i < features.length; i++) {
      features[i] = new long[reference.features().get(i).bins()];
    }
    this.score = new long[reference.score().bins()];
    this.labelled = new long[reference.calibration().size()][2];
  }

  public DriftReference reference() {
    return reference;
  }

  /** The bundle's feature names, in the order of {@link #featurePsi}. */
  public List<String> names() {
    return names;
  }

  /** One payment's feature values (in the catalogue's order) and score. */
  public void add(FeatureVector values, double probability) {
    for (int i = 0; i < features.length; i++) {
      features[i][reference.features().get(i).binOf(values.get(columns[i]))]++;
    }
    score[reference.score().binOf(probability)]++;
    payments++;
  }

  /** A labelled payment's score, for calibration. */
  public void addLabel(double probability, boolean fraud) {
    if (labelled.length > 0) {
      labelled[reference.decileOf(probability)][fraud ? 1 : 0]++;
    }
  }

  public void addAll(DriftCounts other) {
    for (int i = 0; i < features.length; i++) {
      for (int b = 0; b < features[i].length; b++) {
        features[i][b] += other.features[i][b];
      }
    }
    for (int b = 0; b < score.length; b++) {
      score[b] += other.score[b];
    }
    for (int d = 0; d < labelled.length; d++) {
      labelled[d][0] += other.labelled[d][0];
      labelled[d][1] += other.labelled[d][1];
    }
    payments += other.payments;
  }

  public void clear() {
    for (long[] bins : features) {
      Arrays.fill(bins, 0);
    }
    Arrays.fill(score, 0);
    for (long[] decile : labelled) {
      Arrays.fill(decile, 0);
    }
    payments = 0;
  }

  public long payments() {
    return payments;
  }

  /** The population stability index of feature {@code index}; NaN below {@link #MIN_PAYMENTS}. */
  public double featurePsi(int index) {
    return payments < MIN_PAYMENTS ? Double.NaN : reference.features().get(index).psi(features[index]);
  }

  /** The population stability index of the score; NaN below {@link #MIN_PAYMENTS}. */
  public double scorePsi() {
    return payments < MIN_PAYMENTS ? Double.NaN : reference.score().psi(score);
  }

  /** The {@code n} features that moved most, most first; none below {@link #MIN_PAYMENTS}. */
  public List<Drift> mostDrifted(int n) {
    List<Drift> all = new ArrayList<>();
    for (int i = 0; i < features.length; i++) {
      double psi = featurePsi(i);
      if (!Double.isNaN(psi)) {
        all.add(new Drift(names.get(i), psi));
      }
    }
    all.sort(Comparator.comparingDouble(Drift::psi).reversed());
    return all.subList(0, Math.min(n, all.size()));
  }

  /** The payments counted in each bin of the reference's score histogram. */
  public long[] scoreCounts() {
    return score.clone();
  }

  /** Labelled payments in decile {@code d} of the reference's held-out scores, and the frauds among them. */
  public long[] labelledIn(int d) {
    return labelled[d].clone();
  }

  /** Words for an index: stable under 0.1, moving up to 0.25, shifted above. */
  public static String verdict(double psi) {
    return Double.isNaN(psi) ? "too few payments" : psi < 0.1 ? "stable" : psi <= 0.25 ? "moving" : "shifted";
  }
}
