package io.fraudstream.engine.decision;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A decision's reasons in words: the features that pushed the score up, and a block in force. */
public final class Reasons {

  /** The model's reasons a decision gives at most. */
  static final int MAX_REASONS = 3;
  private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private Reasons() {}

  /** A time as decisions and alerts show it: minutes, in UTC. */
  static String since(Instant time) {
    return SINCE.format(time);
  }

  public static String blockedSince(Block block) {
    String since = block.blockedAt() == null ? "" : " since " + since(block.blockedAt());
    String what = block.entityType() == null ? "" : " (" + block.entityType() + ")";
    return "blocked" + since + what + (block.reason() == null ? "" : ": " + block.reason());
  }

  /**
   * The reasons of the features that pushed the score up most, strongest first. A selection over
   * a handful of features, without boxing or sorting, because it runs for every payment.
   */
  static List<String> fromContributions(FeatureVector features, double[] contributions) {
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
   * Why a decision was made, as one of few words for metrics: the feature of its first reason,
   * {@code rule} when a rule or list spoke first, {@code model-error} when it could not be
   * scored, {@code score} when the model gave no reason a person can be told.
   */
  public static String kindOf(Decision decision) {
    if (Double.isNaN(decision.score())) {
      return "model-error";
    }
    if (decision.reasons().isEmpty()) {
      return "score";
    }
    String first = decision.reasons().get(0);
    Map<String, Double> features = decision.features();
    for (Feature feature : Feature.all()) {
      Double value = features == null ? null : features.get(feature.featureName());
      if (value != null && first.equals(feature.reason(value))) {
        return feature.featureName();
      }
    }
    return "rule";
  }
}
