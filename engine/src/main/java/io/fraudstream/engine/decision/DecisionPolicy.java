package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelBundleException;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.Thresholds;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns a featured payment into a decision, an alert and a block. The tier comes from the
 * model's score against the bundle's thresholds, combined with the operator's {@link Rules}
 * and any active block, in this order of precedence:
 *
 * <ol>
 *   <li>an active block on the user, device or merchant: BLOCK, "blocked since …";
 *   <li>the block list: BLOCK;
 *   <li>hard limits: at least their tier, even for allow-listed payments;
 *   <li>the allow list: ALLOW, whatever the model and the other rules say;
 *   <li>otherwise the strictest of the model's tier and the rules that fire.
 * </ol>
 *
 * <p>The model, the shadow model and the rules are each held in one reference and swapped whole,
 * so a decision is made by exactly one version of each and a reload never pauses scoring.
 * Thread-safe and free of Kafka types, so every stream thread shares one.
 */
public final class DecisionPolicy {

  static final int MAX_REASONS = 3;
  private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  /** A bundle ready to score. */
  public record ServingModel(ModelBundle bundle, ModelScorer scorer) {
    ServingModel(ModelBundle bundle) {
      this(bundle, new ModelScorer(bundle));
    }

    public String version() {
      return bundle.version();
    }

    public String provenanceId() {
      return bundle.provenanceId();
    }

    Tier tierOf(double score) {
      Thresholds thresholds = bundle.thresholds();
      if (score >= thresholds.block()) {
        return Tier.BLOCK;
      }
      return score >= thresholds.challenge() ? Tier.CHALLENGE : Tier.ALLOW;
    }
  }

  private final AtomicReference<ServingModel> live;
  private final AtomicReference<ServingModel> shadow = new AtomicReference<>();
  private final AtomicReference<Rules> rules;
  private final Duration blockDuration;
  private final Duration labelDelay;

  public DecisionPolicy(ModelBundle bundle, Duration blockDuration) {
    this(bundle, Rules.none(), blockDuration);
  }

  public DecisionPolicy(ModelBundle bundle, Rules rules, Duration blockDuration) {
    this.labelDelay = bundle.labelDelay();
    this.live = new AtomicReference<>(check(bundle));
    this.rules = new AtomicReference<>(rules);
    this.blockDuration = blockDuration;
  }

  /**
   * The label delay the entity features are served with, fixed by the first model: every model
   * in service must have been trained with it, or it would read features computed otherwise.
   */
  public Duration labelDelay() {
    return labelDelay;
  }

  public ServingModel model() {
    return live.get();
  }

  /** The shadow model, or null. */
  public ServingModel shadowModel() {
    return shadow.get();
  }

  public Rules rules() {
    return rules.get();
  }

  /** Puts a new live model in service after checking it can serve here; the old one stays on refusal. */
  public ServingModel useModel(ModelBundle bundle) {
    ServingModel checked = check(bundle);
    live.set(checked);
    return checked;
  }

  /** Scores every payment with {@code bundle} too, for comparison; null stops shadow scoring. */
  public ServingModel useShadow(ModelBundle bundle) {
    ServingModel checked = bundle == null ? null : check(bundle);
    shadow.set(checked);
    return checked;
  }

  public void useRules(Rules newRules) {
    rules.set(newRules);
  }

  /**
   * Checks that a bundle can serve beside the running topology: the same label delay as the
   * features are computed with, and a probability for a payment with no history.
   */
  private ServingModel check(ModelBundle bundle) {
    if (!bundle.labelDelay().equals(labelDelay)) {
      throw new ModelBundleException("model " + bundle.version() + " was trained with a label delay of "
          + bundle.labelDelay().toDays() + " days, but the engine serves entity features with " + labelDelay.toDays()
          + "; retrain it with --label-delay-days " + labelDelay.toDays() + " or restart the engine with it");
    }
    ServingModel model = new ServingModel(bundle);
    double probe = model.scorer().probability(new FeatureVector(new double[Feature.count()]));
    if (!(probe >= 0 && probe <= 1)) {
      throw new ModelBundleException("model " + bundle.version() + " scores an empty payment " + probe + ", not a probability");
    }
    return model;
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
    ServingModel model = live.get();
    ServingModel shadowModel = shadow.get();
    Rules ruleset = rules.get();
    Transaction tx = featured.transaction();
    FeatureVector features = featured.features();
    double score;
    Tier modelTier;
    List<String> modelReasons;
    try {
      ModelScorer.Score scored = model.scorer().score(features);
      score = scored.probability();
      modelTier = model.tierOf(score);
      modelReasons = reasons(features, scored.contributions());
    } catch (RuntimeException e) {
      // Failing open would let fraud through and failing closed would block everyone: ask for
      // verification instead, and say why.
      score = Double.NaN;
      modelTier = Tier.CHALLENGE;
      modelReasons = List.of("could not be scored (" + e.getClass().getSimpleName() + "), verification asked as a precaution");
    }

    Tier tier;
    List<String> reasons = new ArrayList<>(MAX_REASONS + 2);
    Rules.Judgement judgement = ruleset.judge(tx, features);
    if (activeBlock != null) {
      tier = Tier.BLOCK;
      reasons.add(blockedSince(activeBlock));
    } else if (judgement.blockListed() != null) {
      tier = Tier.BLOCK;
      reasons.add(judgement.blockListed().describe("block"));
    } else {
      boolean allowed = judgement.allowListed() != null && judgement.limitHits().isEmpty();
      tier = allowed ? Tier.ALLOW : modelTier;
      List<Rules.Hit> hits = concat(judgement.limitHits(), judgement.allowListed() == null ? judgement.ruleHits() : List.of());
      // The rules that set the tier come first, strictest first; then the model's reasons.
      for (Rules.Hit hit : hits) {
        tier = hit.tier().compareTo(tier) > 0 ? hit.tier() : tier;
        reasons.add(hit.reason());
      }
      if (allowed) {
        reasons.add(judgement.allowListed().describe("allow"));
      }
      reasons.addAll(modelReasons);
    }
    boolean placesBlock = tier == Tier.BLOCK && activeBlock == null && judgement.blockListed() == null;
    Decision.Shadow shadowSaid = shadowModel == null ? null : shadowScore(shadowModel, features);
    return new Decision(tx.id(), tx.user(), tx.timestamp(), tx.amount(), tx.currency(), tx.merchant(), tx.device(), tx.country(),
        tier, score, modelTier, List.copyOf(reasons), model.version(), model.provenanceId(), ruleset.version(), activeBlock,
        placesBlock, shadowSaid, features.toMap(), featured.extractionNanos() / 1000.0, (System.nanoTime() - start) / 1000.0, now);
  }

  private static final Comparator<Rules.Hit> STRICTEST_FIRST = Comparator.comparing(Rules.Hit::tier).reversed();

  /** Both lists of hits, strictest first; without allocating in the common case of none. */
  private static List<Rules.Hit> concat(List<Rules.Hit> limits, List<Rules.Hit> rules) {
    if (limits.isEmpty() && rules.size() <= 1) {
      return rules;
    }
    List<Rules.Hit> hits = new ArrayList<>(limits.size() + rules.size());
    hits.addAll(limits);
    hits.addAll(rules);
    hits.sort(STRICTEST_FIRST);
    return hits;
  }

  private static Decision.Shadow shadowScore(ServingModel shadowModel, FeatureVector features) {
    try {
      double score = shadowModel.scorer().probability(features);
      return new Decision.Shadow(shadowModel.version(), shadowModel.provenanceId(), score, shadowModel.tierOf(score));
    } catch (RuntimeException e) {
      return new Decision.Shadow(shadowModel.version(), shadowModel.provenanceId(), Double.NaN, null);
    }
  }

  public static String blockedSince(Block block) {
    String since = block.blockedAt() == null ? "" : " since " + SINCE.format(block.blockedAt());
    String what = block.entityType() == null ? "" : " (" + block.entityType() + ")";
    return "blocked" + since + what + (block.reason() == null ? "" : ": " + block.reason());
  }

  /**
   * The reasons of the features that pushed the score up most, strongest first. A selection over
   * a handful of features, without boxing or sorting, because it runs for every payment.
   */
  static List<String> reasons(FeatureVector features, double[] contributions) {
    List<Feature> catalogue = Feature.all();
    int[] top = new int[MAX_REASONS];
    int found = 0;
    for (int i = 0; i < contributions.length; i++) {
      if (contributions[i] <= 0 || !catalogue.get(i).canExplain(features.get(catalogue.get(i)))) {
        continue;
      }
      int position = found < MAX_REASONS ? found++ : MAX_REASONS;
      while (position > 0 && contributions[top[position - 1]] < contributions[i]) {
        if (position < MAX_REASONS) {
          top[position] = top[position - 1];
        }
        position--;
      }
      if (position < MAX_REASONS) {
        top[position] = i;
      }
    }
    List<String> reasons = new ArrayList<>(found);
    for (int k = 0; k < found; k++) {
      Feature feature = catalogue.get(top[k]);
      reasons.add(feature.reason(features.get(feature)));
    }
    return reasons;
  }

  /**
   * The notification for a CHALLENGE or BLOCK decision. The message speaks to the user about what
   * made the payment unusual for them, from the decision's feature values; it names no device,
   * IP address or payee, only that they were new.
   */
  public Alert alertFor(Decision decision) {
    String amount = String.format(Locale.ROOT, "%.2f%s", decision.amount(),
        decision.currency() == null ? "" : " " + decision.currency());
    String payment = "a payment of " + amount;
    List<String> unusual = unusualForTheUser(decision.features());
    String what = unusual.isEmpty() ? payment : payment + " " + String.join(", ", unusual);
    String message;
    if (decision.tier() == Tier.CHALLENGE) {
      message = "Please confirm with a one-time code: " + what + (unusual.isEmpty() ? ", which looks unusual for you." : ".");
    } else if (decision.activeBlock() != null) {
      message = "We stopped " + payment + ": payments " + blockedWhat(decision.activeBlock().entityType())
          + " are paused since " + SINCE.format(decision.activeBlock().blockedAt()) + " to protect you.";
    } else {
      message = "We stopped " + what + "." + (decision.placesBlock() ? " To protect you, we paused your account." : "")
          + " If it was you, contact us.";
    }
    return new Alert(decision.paymentId(), decision.user(), decision.timestamp(), decision.tier(), message,
        decision.reasons(), decision.score(), decision.amount(), decision.currency(), decision.merchant(), decision.device(),
        decision.modelVersion(), decision.rulesVersion());
  }

  private static String blockedWhat(String entityType) {
    return switch (entityType == null ? "" : entityType) {
      case "device" -> "from this device";
      case "merchant" -> "to this merchant";
      default -> "from your account";
    };
  }

  /** What a user would recognise as unusual about their payment, at most three things. */
  static List<String> unusualForTheUser(Map<String, Double> features) {
    List<String> phrases = new ArrayList<>(3);
    if (on(features, Feature.NEW_MERCHANT)) {
      phrases.add("at a merchant you have not used before");
    } else if (on(features, Feature.NEW_COUNTERPARTY)) {
      phrases.add("to a payee you have not paid before");
    }
    if (on(features, Feature.NEW_DEVICE)) {
      phrases.add("from a new device");
    } else if (on(features, Feature.NEW_COUNTRY)) {
      phrases.add("from a country you have not paid from before");
    }
    if (value(features, Feature.AMOUNT_TO_MEAN_RATIO) >= 3) {
      phrases.add("well above your usual amount");
    } else if (value(features, Feature.TX_COUNT_1M) >= 3) {
      phrases.add("after " + (long) value(features, Feature.TX_COUNT_1M) + " payments within a minute");
    }
    return phrases;
  }

  private static boolean on(Map<String, Double> features, Feature feature) {
    return value(features, feature) > 0;
  }

  private static double value(Map<String, Double> features, Feature feature) {
    Double value = features == null ? null : features.get(feature.featureName());
    return value == null ? 0 : value;
  }

  /** The block a decision that places one puts on its user, starting at the payment's event time. */
  public Block blockFor(Decision decision) {
    String reason = decision.reasons().isEmpty()
        ? String.format(Locale.ROOT, "fraud score %.3f", decision.score())
        : String.format(Locale.ROOT, "fraud score %.3f: %s", decision.score(), String.join("; ", decision.reasons()));
    return new Block(Rules.key(Rules.Entity.USER, decision.user()), "user", decision.paymentId(), reason, decision.timestamp(),
        decision.timestamp().plus(blockDuration));
  }
}
