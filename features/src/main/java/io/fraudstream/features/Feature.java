package io.fraudstream.features;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoublePredicate;

/**
 * The feature catalogue: every feature the extractor computes, named and described once, in the
 * order of {@link FeatureVector} and of every model's inputs.
 *
 * <p>Each feature also says, in words, why it could make a payment look risky; the engine uses
 * that for the reasons on decisions and alerts.
 */
public enum Feature {
  AMOUNT("amount", "payment amount", always(), "amount %.2f"),
  TX_COUNT_1H("tx_count_1h", "payments by this user in the last hour, this one included (window 55-60 min, 5-min buckets)",
      atLeast(3), "%.0f payments in the last hour"),
  AMOUNT_SUM_1H("amount_sum_1h", "amount paid by this user in the last hour, this one included", never(), null),
  TX_COUNT_24H("tx_count_24h", "payments by this user in the last 24 hours, this one included (window 23-24 h, 1-h buckets)",
      atLeast(5), "%.0f payments in the last 24 hours"),
  AMOUNT_SUM_24H("amount_sum_24h", "amount paid by this user in the last 24 hours, this one included", never(), null),
  AMOUNT_MEAN("amount_mean", "the user's usual amount: mean of earlier payments, decayed with a 30-day half-life",
      never(), null),
  AMOUNT_STD("amount_std", "standard deviation of the user's earlier amounts, same decay", never(), null),
  AMOUNT_ZSCORE("amount_zscore", "(amount - usual) / max(std, 1): how unusual this amount is for this user",
      atLeast(2), "amount %.1f standard deviations above this user's usual"),
  AMOUNT_TO_MEAN_RATIO("amount_to_mean_ratio", "amount / max(usual amount, 1)", atLeast(2),
      "amount %.1fx this user's usual"),
  SECONDS_SINCE_PREVIOUS("seconds_since_previous", "seconds since the user's previous payment, capped at 30 days",
      value -> value < 300, "%s since the previous payment"),
  FIRST_PAYMENT("first_payment", "1 if this is the first payment seen from this user", indicator(),
      "first payment seen from this user"),
  NEW_MERCHANT("new_merchant", "1 if the user has not paid this merchant or terminal recently (last 32 distinct)",
      indicator(), "a merchant this user has not used before"),
  MERCHANT_MISSING("merchant_missing", "1 if the payment names no merchant or terminal", indicator(),
      "no merchant given"),
  NEW_DEVICE("new_device", "1 if the user has not used this device recently (last 8 distinct)", indicator(),
      "a new device"),
  DEVICE_MISSING("device_missing", "1 if the payment names no device", indicator(), "no device given"),
  HOUR_OF_DAY("hour_of_day", "hour of the payment in UTC, 0-23", always(), "payment at %02.0f:00 UTC");

  private static final List<Feature> ALL = List.of(values());
  private static final List<String> NAMES = ALL.stream().map(Feature::featureName).toList();

  private final String featureName;
  private final String description;
  private final DoublePredicate explains;
  private final String reasonFormat;

  Feature(String featureName, String description, DoublePredicate explains, String reasonFormat) {
    this.featureName = featureName;
    this.description = description;
    this.explains = explains;
    this.reasonFormat = reasonFormat;
  }

  // When a value is anomalous enough to be told to a person as a reason.
  private static DoublePredicate always() {
    return value -> true;
  }

  private static DoublePredicate never() {
    return value -> false;
  }

  private static DoublePredicate atLeast(double threshold) {
    return value -> value >= threshold;
  }

  private static DoublePredicate indicator() {
    return value -> value >= 0.5;
  }

  /** The name used in models, decisions and documentation. */
  public String featureName() {
    return featureName;
  }

  public String description() {
    return description;
  }

  /** All features in vector order. */
  public static List<Feature> all() {
    return ALL;
  }

  /** All feature names in vector order: the schema every model bundle must match. */
  public static List<String> names() {
    return NAMES;
  }

  /** Number of features in a vector. */
  public static int count() {
    return ALL.size();
  }

  /**
   * Whether this feature at this value describes something unusual a person can be told, e.g.
   * an indicator that is on or a velocity above normal. Context such as the usual amount never is.
   */
  public boolean canExplain(double value) {
    return explains.test(value);
  }

  /** Why this feature, at this value, makes a payment look risky; {@code null} when it cannot. */
  public String reason(double value) {
    if (!canExplain(value)) {
      return null;
    }
    if (!reasonFormat.contains("%")) {
      return reasonFormat;
    }
    if (this == SECONDS_SINCE_PREVIOUS) {
      return String.format(Locale.ROOT, reasonFormat, humanDuration((long) value));
    }
    return String.format(Locale.ROOT, reasonFormat, value);
  }

  private static String humanDuration(long seconds) {
    if (seconds < 120) {
      return seconds + " s";
    }
    if (seconds < 7200) {
      return (seconds / 60) + " min";
    }
    if (seconds < 172_800) {
      return (seconds / 3600) + " h";
    }
    return (seconds / 86_400) + " days";
  }

  /** Finds a feature by its name. */
  public static Feature byName(String name) {
    return Arrays.stream(values()).filter(f -> f.featureName.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown feature '" + name + "'; known: " + NAMES));
  }
}
