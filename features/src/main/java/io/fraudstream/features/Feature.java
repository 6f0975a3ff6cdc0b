package io.fraudstream.features;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The feature catalogue: every feature the extractor computes, named and described once, in the
 * order of {@link FeatureVector} and of every model's inputs.
 *
 * <p>Each feature also says, in words, why it could make a payment look risky; the engine uses
 * that for the reasons on decisions and alerts.
 */
public enum Feature {
  // Velocity: this user's payments over sliding event-time windows, this one included.
  TX_COUNT_1M("tx_count_1m", "payments in the last minute (6 buckets of 10 s: the window covers the last 50-60 s)",
      atLeast(3), "%.0f payments in the last minute"),
  AMOUNT_SUM_1M("amount_sum_1m", "amount paid in the last minute", never(), null),
  TX_COUNT_1H("tx_count_1h", "payments in the last hour (12 buckets of 5 min: the last 55-60 min)",
      atLeast(3), "%.0f payments in the last hour"),
  AMOUNT_SUM_1H("amount_sum_1h", "amount paid in the last hour", never(), null),
  TX_COUNT_24H("tx_count_24h", "payments in the last 24 hours (24 buckets of 1 h: the last 23-24 h)",
      atLeast(5), "%.0f payments in the last 24 hours"),
  AMOUNT_SUM_24H("amount_sum_24h", "amount paid in the last 24 hours", never(), null),
  TX_COUNT_7D("tx_count_7d", "payments in the last 7 days (14 buckets of 12 h: the last 6.5-7 days)", never(), null),
  AMOUNT_SUM_7D("amount_sum_7d", "amount paid in the last 7 days", never(), null),

  // Amount against the user's own habit, as it was before this payment.
  AMOUNT("amount", "payment amount", always(), "amount %.2f"),
  AMOUNT_MEAN("amount_mean", "the user's usual amount: mean of earlier payments, decayed with a 30-day half-life",
      never(), null),
  AMOUNT_STD("amount_std", "standard deviation of the user's earlier amounts, same decay", never(), null),
  AMOUNT_MAX("amount_max", "the user's largest earlier amount, decaying with the same half-life", never(), null),
  AMOUNT_ZSCORE("amount_zscore", "(amount - usual) / max(std, 1): how unusual this amount is for this user; 0 for a first payment",
      atLeast(2), "amount %.1f standard deviations above this user's usual"),
  AMOUNT_TO_MEAN_RATIO("amount_to_mean_ratio", "amount / max(usual amount, 1); 1 for a first payment", atLeast(2),
      "amount %.1fx this user's usual"),
  AMOUNT_TO_MAX_RATIO("amount_to_max_ratio", "amount / max(largest earlier amount, 1); 1 for a first payment", atLeast(1.5),
      "amount %.1fx this user's largest so far"),

  // Recency and rhythm.
  SECONDS_SINCE_PREVIOUS("seconds_since_previous", "seconds since the user's previous payment, capped at 30 days (the cap for a first payment)",
      value -> value < 300, "%s since the previous payment"),
  FIRST_PAYMENT("first_payment", "1 if this is the first payment seen from this user", indicator(),
      "first payment seen from this user"),
  HOUR_OF_DAY("hour_of_day", "hour of the payment in UTC, 0-23", never(), null),
  HOUR_SHARE("hour_share", "share of the user's earlier payments (decayed, 30-day half-life) made in this hour of the day; 1 without history",
      value -> value < 0.02, "a time of day this user rarely pays at"),
  DAY_OF_WEEK("day_of_week", "day of the week in UTC, 1 = Monday ... 7 = Sunday", never(), null),
  DAY_OF_WEEK_SHARE("day_of_week_share", "share of the user's earlier payments (decayed) made on this day of the week; 1 without history",
      value -> value < 0.02, "a day of the week this user rarely pays on"),
  NIGHT("night", "1 if the payment is between 00:00 and 06:00 UTC", indicator(), "at night"),
  WEEKEND("weekend", "1 if the payment is on a Saturday or Sunday (UTC)", never(), null),

  // Novelty, in bounded memory: "new" means not among the user's recent distinct ones.
  NEW_MERCHANT("new_merchant", "1 if the user has not paid this merchant or terminal among their last 32 distinct ones",
      indicator(), "a merchant this user has not used before"),
  MERCHANT_MISSING("merchant_missing", "1 if the payment names no merchant or terminal", indicator(), "no merchant given"),
  DISTINCT_MERCHANTS_24H("distinct_merchants_24h", "distinct merchants the user paid in the last 24 hours, this one included (of the last 32)",
      atLeast(4), "%.0f different merchants in 24 hours"),
  NEW_DEVICE("new_device", "1 if the user has not used this device among their last 8 distinct ones", indicator(), "a new device"),
  DEVICE_MISSING("device_missing", "1 if the payment names no device", indicator(), "no device given"),
  DISTINCT_DEVICES_24H("distinct_devices_24h", "distinct devices the user paid from in the last 24 hours (of the last 8)",
      atLeast(2), "%.0f different devices in 24 hours"),
  NEW_IP("new_ip", "1 if the user has not paid from this IP address among their last 8 distinct ones", indicator(),
      "an IP address this user has not used before"),
  IP_MISSING("ip_missing", "1 if the payment names no IP address", never(), null),
  NEW_COUNTRY("new_country", "1 if the user has not paid from this country among their last 8 distinct ones", indicator(),
      "a country this user has not paid from before"),
  COUNTRY_MISSING("country_missing", "1 if the payment names no country", never(), null),

  // Transfers and mules.
  NEW_COUNTERPARTY("new_counterparty", "1 if the user has not paid this payee among their last 32 distinct ones", indicator(),
      "a payee this user has not paid before"),
  COUNTERPARTY_MISSING("counterparty_missing", "1 if the payment names no payee (counterparty)", never(), null),
  DISTINCT_COUNTERPARTIES_24H("distinct_counterparties_24h", "distinct payees in the last 24 hours, this one included (fan-out)",
      atLeast(3), "%.0f different payees in 24 hours"),
  NEW_COUNTERPARTY_AMOUNT_SHARE_24H("new_counterparty_amount_share_24h",
      "share of the last 24 hours' amount paid to payees that were new when paid", atLeast(0.5),
      "most of the last 24 hours' amount went to new payees"),

  // Geography: against the user's previous located payment.
  DISTANCE_KM("distance_km", "great-circle distance from the previous located payment, km; 0 without one", atLeast(500),
      "%.0f km from the previous payment"),
  SPEED_KMH("speed_kmh", "distance / time since the previous located payment (at least 1 minute), km/h; 0 without one",
      atLeast(900), "travel at %.0f km/h implied since the previous payment"),
  LOCATION_MISSING("location_missing", "1 if the payment has no lat/lon", never(), null),

  // Step-up verification: how the user's earlier challenges ended (the challenge-results topic).
  DEVICE_VERIFIED("device_verified",
      "1 if the user passed a challenge on an earlier payment from this device (of their last 8 verified devices)", never(), null),
  PAYEE_VERIFIED("payee_verified",
      "1 if the user passed a challenge on an earlier payment to this payee (of their last 8 verified payees)", never(), null),
  DAYS_SINCE_LAST_PASSED_CHALLENGE("days_since_last_passed_challenge",
      "days since the user last passed a challenge, capped at 90 (the cap when never)", never(), null),
  FAILED_CHALLENGES_24H("failed_challenges_24h", "challenges the user failed in the last 24 hours (6 buckets of 4 h: the last 20-24 h)",
      atLeast(1), "%.0f failed verifications in the last 24 hours"),
  ABANDONED_CHALLENGES_24H("abandoned_challenges_24h", "challenges left unanswered in the last 24 hours (same buckets)",
      atLeast(1), "%.0f verifications left unanswered in the last 24 hours"),

  // Entity risk: the merchant or terminal, across all its users (0 without a merchant).
  MERCHANT_TX_COUNT_1D("merchant_tx_count_1d", "payments the merchant received in the last 24 hours, this one included",
      never(), null),
  MERCHANT_TX_COUNT_7D("merchant_tx_count_7d", "payments the merchant received in the last 7 days", never(), null),
  MERCHANT_TX_COUNT_30D("merchant_tx_count_30d", "payments the merchant received in the last 30 days", never(), null),
  MERCHANT_USERS_1D("merchant_users_1d", "distinct users who paid the merchant in the last 24 hours (of its last 64)",
      never(), null),
  MERCHANT_USERS_7D("merchant_users_7d", "distinct users who paid the merchant in the last 7 days (of its last 64)",
      never(), null),
  MERCHANT_USERS_30D("merchant_users_30d", "distinct users who paid the merchant in the last 30 days (of its last 64)",
      never(), null),
  MERCHANT_FRAUDS_30D("merchant_frauds_30d",
      "confirmed frauds among the merchant's payments of the last 30 days on days that ended at least the label delay (7 days by default) ago",
      atLeast(1), "%.0f confirmed frauds at this merchant in the past month"),
  MERCHANT_FRAUD_RATE_30D("merchant_fraud_rate_30d", "merchant_frauds_30d / the merchant's payments in the same days",
      never(), null),
  MERCHANT_FRAUD_RATE_1D("merchant_fraud_rate_1d",
      "share of the merchant's payments confirmed as fraud on the last day that ended at least the label delay ago",
      atLeast(0.2), "many recent payments at this merchant were fraud"),
  MERCHANT_FRAUD_RATE_7D("merchant_fraud_rate_7d",
      "share of the merchant's payments confirmed as fraud over the 7 days that ended at least the label delay ago",
      never(), null),
  MERCHANT_FRAUD_STREAK_DAYS("merchant_fraud_streak_days",
      "days back from the last day that ended at least the label delay ago through which the merchant's known frauds ran unbroken"
          + " (a day with payments and no fraud breaks it; 0 when that day had payments and no fraud)",
      atLeast(3), "frauds at this merchant went on for %.0f days and had not stopped when last known"),

  // Entity risk: the device, across all users who paid from it (0 without a device).
  DEVICE_TX_COUNT_1D("device_tx_count_1d", "payments made from the device in the last 24 hours by any user, this one included",
      never(), null),
  DEVICE_TX_COUNT_7D("device_tx_count_7d", "payments made from the device in the last 7 days", never(), null),
  DEVICE_TX_COUNT_30D("device_tx_count_30d", "payments made from the device in the last 30 days", never(), null),
  DEVICE_USERS_1D("device_users_1d", "distinct users who paid from the device in the last 24 hours (of its last 64)",
      atLeast(3), "%.0f different users paid from this device in 24 hours"),
  DEVICE_USERS_7D("device_users_7d", "distinct users who paid from the device in the last 7 days (of its last 64)",
      never(), null),
  DEVICE_USERS_30D("device_users_30d", "distinct users who paid from the device in the last 30 days (of its last 64)",
      never(), null),
  DEVICE_FRAUDS_30D("device_frauds_30d",
      "confirmed frauds among the device's payments of the last 30 days on days that ended at least the label delay (7 days by default) ago",
      atLeast(1), "%.0f confirmed frauds from this device in the past month"),
  DEVICE_FRAUD_RATE_30D("device_fraud_rate_30d", "device_frauds_30d / the device's payments in the same days",
      never(), null),
  DEVICE_FRAUD_RATE_1D("device_fraud_rate_1d",
      "share of the device's payments confirmed as fraud on the last day that ended at least the label delay ago",
      atLeast(0.2), "many recent payments from this device were fraud"),
  DEVICE_FRAUD_RATE_7D("device_fraud_rate_7d",
      "share of the device's payments confirmed as fraud over the 7 days that ended at least the label delay ago",
      never(), null),
  DEVICE_FRAUD_STREAK_DAYS("device_fraud_streak_days",
      "days back from the last day that ended at least the label delay ago through which the device's known frauds ran unbroken"
          + " (a day with payments and no fraud breaks it; 0 when that day had payments and no fraud)",
      atLeast(3), "frauds from this device went on for %.0f days and had not stopped when last known");

  private static final List<Feature> ALL = List.of(values());
  private static final List<String> NAMES = ALL.stream().map(Feature::featureName).toList();

  private final String featureName;
  private final String description;
  private final DoublePredicate explains;
  private final String reasonFormat;
  // A format with one %.<digits>f, split around it: a reason is written on every decision, and
  // the JDK's formatter parses its format each time (see reason).
  private final String reasonBefore;
  private final String reasonAfter;
  private final int reasonDigits;

  Feature(String featureName, String description, DoublePredicate explains, String reasonFormat) {
    this.featureName = featureName;
    this.description = description;
    this.explains = explains;
    this.reasonFormat = reasonFormat;
    Matcher fixed = reasonFormat == null ? null : ReasonFormats.FIXED_POINT.matcher(reasonFormat);
    boolean split = fixed != null && fixed.find() && reasonFormat.indexOf('%') == fixed.start()
        && reasonFormat.indexOf('%', fixed.end()) < 0;
    this.reasonBefore = split ? reasonFormat.substring(0, fixed.start()) : null;
    this.reasonAfter = split ? reasonFormat.substring(fixed.end()) : null;
    this.reasonDigits = split ? Integer.parseInt(fixed.group(1)) : -1;
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

  /** How a reason from this feature is worded, the value's place a format specifier; null when it is never a reason. */
  public String reasonFormat() {
    return reasonFormat;
  }

  /** All features in vector order. */
  public static List<Feature> all() {
    return ALL;
  }

  /**
   * The features a payment's own columns give, without any history: its amount, its time and
   * which fields it lacks. A model on these alone is the baseline that shows what the
   * behavioural features add.
   */
  public static Set<Feature> raw() {
    return EnumSet.of(AMOUNT, HOUR_OF_DAY, DAY_OF_WEEK, NIGHT, WEEKEND, MERCHANT_MISSING, DEVICE_MISSING,
        IP_MISSING, COUNTRY_MISSING, COUNTERPARTY_MISSING, LOCATION_MISSING);
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
    if (reasonDigits >= 0 && value > 0 && value < 1e15) {
      return reasonBefore + Decimals.fixedPoint(value, reasonDigits) + reasonAfter;
    }
    return String.format(Locale.ROOT, reasonFormat, value);
  }


  /** Apart from the enum: its constants are made before its own static fields. */
  private static final class ReasonFormats {
    static final Pattern FIXED_POINT = Pattern.compile("%\\.(\\d)f");
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
