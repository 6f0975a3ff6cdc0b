package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.Thresholds;

/** A bundle ready to score, and the tier a score earns against its thresholds. */
public record ServingModel(ModelBundle bundle, ModelScorer scorer) {

  public ServingModel(ModelBundle bundle) {
    this(bundle, new ModelScorer(bundle));
  }

  public String version() {
    return bundle.version();
  }

  public String provenanceId() {
    return bundle.provenanceId();
  }

  /** The tier a score earns: BLOCK at or above the block threshold, CHALLENGE at or above the challenge threshold. */
  public Tier tierOf(double score) {
    Thresholds thresholds = bundle.thresholds();
    if (score >= thresholds.block()) {
      return Tier.BLOCK;
    }
    return score >= thresholds.challenge() ? Tier.CHALLENGE : Tier.ALLOW;
  }

  /** What this model says of a payment as a shadow: for comparison only, and a failure is recorded, not thrown. */
  Decision.Shadow shadowOpinion(FeatureVector features) {
    try {
      double score = scorer.probability(features);
      return new Decision.Shadow(version(), provenanceId(), score, tierOf(score));
    } catch (RuntimeException e) {
      return new Decision.Shadow(version(), provenanceId(), Double.NaN, null);
    }
  }
}
