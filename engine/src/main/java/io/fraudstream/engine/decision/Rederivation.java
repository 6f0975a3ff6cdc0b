package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Rules;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.ModelBundle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A past decision made again from what it recorded (the payment's pseudonymous fields, its
 * feature values, any active block) with the bundle and rules it names: the check behind
 * {@code fraudstream explain} and the console's payment page.
 *
 * @param again the decision made again
 * @param differences what differs from the recorded one, in words; empty when it matches
 */
public record Rederivation(Decision again, List<String> differences) {

  public boolean matches() {
    return differences.isEmpty();
  }

  /** Makes {@code recorded} again with {@code bundle} and {@code rules}, which must be the ones it names. */
  public static Rederivation of(Decision recorded, ModelBundle bundle, Rules rules) {
    Transaction tx = new Transaction.Builder(recorded.paymentId(), recorded.timestamp(), recorded.user(), recorded.amount())
        .currency(recorded.currency()).merchant(recorded.merchant()).device(recorded.device()).country(recorded.country())
        .counterparty(recorded.counterparty()).ip(recorded.ip()).build();
    FeaturedTransaction featured = new FeaturedTransaction(tx, FeatureVector.fromMap(recorded.features()), 0);
    Decision again = new DecisionPolicy(bundle, rules, Duration.ofHours(24)).decide(featured, recorded.activeBlock(), recorded.decidedAt());
    List<String> differences = new ArrayList<>();
    compare(differences, "tier", recorded.tier(), again.tier());
    compare(differences, "model tier", recorded.modelTier(), again.modelTier());
    compare(differences, "reasons", recorded.reasons(), again.reasons());
    compare(differences, "places a block", recorded.placesBlock(), again.placesBlock());
    if (Double.compare(recorded.score(), again.score()) != 0 && Math.abs(recorded.score() - again.score()) > 1e-12) {
      differences.add(String.format(Locale.ROOT, "score: recorded %.12f, re-derived %.12f", recorded.score(), again.score()));
    }
    return new Rederivation(again, List.copyOf(differences));
  }

  private static void compare(List<String> differences, String what, Object recorded, Object again) {
    if (!Objects.equals(recorded, again)) {
      differences.add(what + ": recorded " + recorded + ", re-derived " + again);
    }
  }
}
