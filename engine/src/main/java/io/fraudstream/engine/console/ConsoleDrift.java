package io.fraudstream.engine.console;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.serving.LiveDrift;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.models.DriftCounts;
import io.fraudstream.models.ModelBundle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's view of drift and calibration, from what it reads: the decisions of each model it
 * was given ({@code --model}), counted against the model's training data over the last day as the
 * engine counts them, and the labels read, placed in the decile of the model's held-out scores
 * their payment's score fell in. The engine's own gauges say the same for drift; calibration only
 * the console has, as only it keeps each decision's score until its label comes. Bounded: the
 * scores of the last {@link ConsoleView#TIERS_HELD} payments. Not thread-safe: {@link ConsoleView}
 * guards it.
 */
final class ConsoleDrift {

  /** A payment's model and score, kept until its label comes. */
  private record Scored(String provenance, double score) {}

  /** What the panel shows for one model. */
  record Report(ModelBundle bundle, DriftCounts day, long[][] calibration) {}

  private final Map<String, ModelBundle> bundles = new LinkedHashMap<>();
  private final Map<String, LiveDrift> drift = new HashMap<>();
  private final Map<String, long[][]> calibration = new HashMap<>();
  private final LinkedHashMap<String, Scored> scored = Bounded.map(ConsoleView.TIERS_HELD, false);

  /** Watches {@code models}; those made before bundle format 4 keep no training data and are left out. */
  void watch(List<ModelBundle> models) {
    for (ModelBundle bundle : models) {
      if (bundle.reference() != null) {
        bundles.put(bundle.provenanceId(), bundle);
        drift.put(bundle.provenanceId(), new LiveDrift());
        calibration.put(bundle.provenanceId(), new long[bundle.reference().calibration().size()][2]);
      }
    }
  }

  /** @param values the decision's feature values in the catalogue's order, NaN where absent */
  void decision(Decision d, double[] values) {
    ModelBundle bundle = d.modelProvenance() == null ? null : bundles.get(d.modelProvenance());
    if (bundle == null || Double.isNaN(d.score()) || d.decidedAt() == null) {
      return;
    }
    for (double value : values) {
      if (Double.isNaN(value)) {
        return;
      }
    }
    FeatureVector features = new FeatureVector(values.clone());
    scored.put(d.paymentId(), new Scored(bundle.provenanceId(), d.score()));
    drift.get(bundle.provenanceId()).record(bundle, features, d.score(), d.decidedAt());
  }

  /** A label; {@code previous} is the label the payment had before, if any, which it replaces. */
  void label(String paymentId, boolean fraud, Boolean previous) {
    Scored payment = scored.get(paymentId);
    if (payment == null) {
      return;
    }
    long[][] counts = calibration.get(payment.provenance());
    int decile = bundles.get(payment.provenance()).reference().decileOf(payment.score());
    if (previous != null) {
      counts[decile][previous ? 1 : 0] = Math.max(0, counts[decile][previous ? 1 : 0] - 1);
    }
    counts[decile][fraud ? 1 : 0]++;
  }

  List<Report> reports(Instant now) {
    List<Report> reports = new ArrayList<>();
    for (ModelBundle bundle : bundles.values()) {
      DriftCounts day = drift.get(bundle.provenanceId()).counts(LiveDrift.Window.DAY, now);
      long[][] counts = calibration.get(bundle.provenanceId());
      long[][] copy = new long[counts.length][];
      for (int i = 0; i < counts.length; i++) {
        copy[i] = counts[i].clone();
      }
      reports.add(new Report(bundle, day, copy));
    }
    return reports;
  }
}
