package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Combines the model's tier with the rules and any block in force, in this order of precedence:
 *
 * <ol>
 *   <li>an active block on the user, device or merchant: BLOCK, "blocked since …";
 *   <li>the block list: BLOCK;
 *   <li>hard limits: at least their tier, even for allow-listed payments;
 *   <li>the allow list: ALLOW, whatever the model and the other rules say;
 *   <li>otherwise the strictest of the model's tier and the rules that fire.
 * </ol>
 */
final class TierPrecedence {

  private static final Comparator<Rules.Hit> STRICTEST_FIRST = Comparator.comparing(Rules.Hit::tier).reversed();

  private TierPrecedence() {}

  /**
   * The tier, its reasons (the rules that set it first, strictest first, then the model's), and
   * whether the decision places a block: a BLOCK from the model or a rule does, one from a list
   * or a block in force does not.
   */
  record Verdict(Tier tier, List<String> reasons, boolean placesBlock) {}

  static Verdict combine(Tier modelTier, List<String> modelReasons, Rules.Judgement judgement, Block activeBlock) {
    if (activeBlock != null) {
      return new Verdict(Tier.BLOCK, List.of(Reasons.blockedSince(activeBlock)), false);
    }
    if (judgement.blockListed() != null) {
      return new Verdict(Tier.BLOCK, List.of(judgement.blockListed().describe("block")), false);
    }
    List<String> reasons = new ArrayList<>(Reasons.MAX_REASONS + 2);
    boolean allowed = judgement.allowListed() != null && judgement.limitHits().isEmpty();
    Tier tier = allowed ? Tier.ALLOW : modelTier;
    for (Rules.Hit hit : concat(judgement.limitHits(), judgement.allowListed() == null ? judgement.ruleHits() : List.of())) {
      tier = hit.tier().compareTo(tier) > 0 ? hit.tier() : tier;
      reasons.add(hit.reason());
    }
    if (allowed) {
      reasons.add(judgement.allowListed().describe("allow"));
    }
    reasons.addAll(modelReasons);
    return new Verdict(tier, List.copyOf(reasons), tier == Tier.BLOCK);
  }

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
}
