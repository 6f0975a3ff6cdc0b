package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Turns a featured payment into a decision and, when it places one, a block. It scores with the
 * live model of its {@link ServingModels} (the shadow model beside it), judges the rules, and
 * leaves the order of precedence to {@link TierPrecedence}, the words to {@link Reasons} and the
 * alert to {@link AlertWording}.
 *
 * <p>Thread-safe and free of Kafka types, so every stream thread shares one.
 */
public final class DecisionPolicy {

  private final ServingModels serving;
  private final Duration blockDuration;

  public DecisionPolicy(ModelBundle bundle, Duration blockDuration) {
    this(bundle, Rules.none(), blockDuration);
  }

  public DecisionPolicy(ModelBundle bundle, Rules rules, Duration blockDuration) {
    this.serving = new ServingModels(bundle, rules);
    this.blockDuration = blockDuration;
  }

  /**
   * The label delay the entity features are served with, fixed by the first model: every model
   * in service must have been trained with it, or it would read features computed otherwise.
   */
  public Duration labelDelay() {
    return serving.labelDelay();
  }

  public ServingModel model() {
    return serving.live();
  }

  /** The shadow model, or null. */
  public ServingModel shadowModel() {
    return serving.shadow();
  }

  public Rules rules() {
    return serving.rules();
  }

  /** Puts a new live model in service after checking it can serve here; the old one stays on refusal. */
  public ServingModel useModel(ModelBundle bundle) {
    return serving.useLive(bundle);
  }

  /** Scores every payment with {@code bundle} too, for comparison; null stops shadow scoring. */
  public ServingModel useShadow(ModelBundle bundle) {
    return serving.useShadow(bundle);
  }

  public void useRules(Rules newRules) {
    serving.useRules(newRules);
  }

  /** Decides a payment that meets no active block. */
  public Decision decide(FeaturedTransaction featured, Instant now) {
    return decide(featured, null, now);
  }

  /**
   * Scores and decides one payment. A model that fails yields CHALLENGE, never a lost payment.
   *
   * @param activeBlock the block on the payment's user, device or merchant, if one holds
   */
  public Decision decide(FeaturedTransaction featured, Block activeBlock, Instant now) {
    long start = System.nanoTime();
    ServingModel model = serving.live();
    ServingModel shadowModel = serving.shadow();
    Rules ruleset = serving.rules();
    FeatureVector features = featured.features();
    double score;
    Tier modelTier;
    List<String> modelReasons;
    try {
      ModelScorer.Score scored = model.scorer().score(features);
      score = scored.probability();
      if (Double.isNaN(score)) {
        // A NaN is under every threshold: without this, the payment would be let through.
        throw new IllegalStateException("the model's score is not a number");
      }
      modelTier = model.tierOf(score);
      modelReasons = Reasons.fromContributions(features, scored.contributions());
    } catch (RuntimeException e) {
      // Failing open would let fraud through and failing closed would block everyone: ask for
      // verification instead, and say why.
      score = Double.NaN;
      modelTier = Tier.CHALLENGE;
      modelReasons = List.of("could not be scored (" + e.getClass().getSimpleName() + "), verification asked as a precaution");
    }
    TierPrecedence.Verdict verdict = TierPrecedence.combine(modelTier, modelReasons, ruleset.judge(featured.transaction(), features),
        activeBlock);
    return Decision.builder()
        .payment(featured.transaction())
        .tier(verdict.tier()).score(score).modelTier(modelTier).reasons(verdict.reasons())
        .modelVersion(model.version()).modelProvenance(model.provenanceId()).rulesVersion(ruleset.version())
        .activeBlock(activeBlock).placesBlock(verdict.placesBlock())
        .shadow(shadowModel == null ? null : shadowModel.shadowOpinion(features))
        .features(features.toMap())
        .extractionMicros(featured.extractionNanos() / 1000.0).scoringMicros((System.nanoTime() - start) / 1000.0)
        .decidedAt(now)
        .build();
  }

  /**
   * The tier {@link #decide} gives a payment whose model tier and rules' judgement are these and
   * that meets no block in force: for backtests, which need the tier of many payments under
   * several rules files and none of the decision's words.
   */
  public static Tier tier(Tier modelTier, Rules.Judgement judgement) {
    return TierPrecedence.combine(modelTier, List.of(), judgement, null).tier();
  }

  /** The block a decision that places one puts on its user, starting at the payment's event time. */
  public Block blockFor(Decision decision) {
    String reason = decision.reasons().isEmpty()
        ? String.format(Locale.ROOT, "fraud score %.3f", decision.score())
        : String.format(Locale.ROOT, "fraud score %.3f: %s", decision.score(), String.join("; ", decision.reasons()));
    return new Block(Rules.key(Rules.Entity.USER, decision.user()), "user", decision.paymentId(), reason, decision.timestamp(),
        decision.timestamp().plus(blockDuration));
  }

  /** The block a failed challenge places on its user when the policy says so, from the result's time. */
  public Block blockForFailedChallenge(String user, ChallengeResult result) {
    String reason = "verification failed" + (result.method() == null ? "" : " (" + result.method() + ")") + " for payment " + result.paymentId();
    return new Block(Rules.key(Rules.Entity.USER, user), "user", result.paymentId(), reason, result.time(), result.time().plus(blockDuration));
  }
}
