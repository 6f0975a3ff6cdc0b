package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Feature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the user is told of a CHALLENGE or BLOCK: plain words about their own payment. */
public final class AlertWording {

  private AlertWording() {}

  /**
   * The notification for a CHALLENGE or BLOCK decision. The message speaks to the user about what
   * made the payment unusual for them, from the decision's feature values; it names no device,
   * IP address or payee, only that they were new.
   */
  public static Alert alertFor(Decision decision) {
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
          + " are paused since " + Reasons.since(decision.activeBlock().blockedAt()) + " to protect you.";
    } else {
      message = "We stopped " + what + "." + (decision.placesBlock() ? " To protect you, we paused your account." : "")
          + " If it was you, contact us.";
    }
    return new Alert(decision.paymentId(), decision.user(), decision.timestamp(), decision.tier(), message,
        decision.reasons(), decision.score(), decision.amount(), decision.currency(), decision.merchant(), decision.device(),
        decision.modelVersion(), decision.rulesVersion());
  }

  /**
   * The notification of a failed verification: the user hears at once that someone could not
   * confirm a payment from their account, and whether the account was paused.
   */
  public static Alert failedChallenge(String user, ChallengeResult result, Block block) {
    String how = result.method() == null ? "" : " (" + result.method() + ")";
    String message = "Someone could not confirm a payment from your account" + how + "."
        + (block == null ? " If it was not you, change your password and contact us." : " To protect you, we paused your account; contact us.");
    return new Alert(result.paymentId(), user, result.time(), block == null ? Tier.CHALLENGE : Tier.BLOCK, message,
        List.of("verification failed" + how), Double.NaN, 0, null, null, null, null, null);
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
}
