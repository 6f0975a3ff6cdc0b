package io.fraudstream.features;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The kinds of entity, besides the user, whose risk is computed across all users: the merchant
 * or terminal paid, and the device paid from. Each has its own keyed state and the same eleven
 * features.
 */
public enum EntityKind {

  /** Keyed by the merchant id as given: a business, not a person. */
  MERCHANT(Transaction::merchant, PaymentLabel::merchant),
  /** Keyed by the device's token ({@link IdentifierHasher#token}), never by the raw device id. */
  DEVICE(Transaction::device, PaymentLabel::device);

  private final Function<Transaction, String> ofPayment;
  private final Function<PaymentLabel, String> ofLabel;
  private final String keyPrefix;
  final Feature txCount1d = measure("TX_COUNT_1D");
  final Feature txCount7d = measure("TX_COUNT_7D");
  final Feature txCount30d = measure("TX_COUNT_30D");
  final Feature users1d = measure("USERS_1D");
  final Feature users7d = measure("USERS_7D");
  final Feature users30d = measure("USERS_30D");
  final Feature frauds30d = measure("FRAUDS_30D");
  final Feature fraudRate30d = measure("FRAUD_RATE_30D");
  final Feature fraudRate1d = measure("FRAUD_RATE_1D");
  final Feature fraudRate7d = measure("FRAUD_RATE_7D");
  final Feature fraudStreakDays = measure("FRAUD_STREAK_DAYS");
  private final List<Feature> features = List.of(txCount1d, txCount7d, txCount30d, users1d, users7d, users30d, frauds30d,
      fraudRate30d, fraudRate1d, fraudRate7d, fraudStreakDays);

  EntityKind(Function<Transaction, String> ofPayment, Function<PaymentLabel, String> ofLabel) {
    this.ofPayment = ofPayment;
    this.ofLabel = ofLabel;
    this.keyPrefix = name().toLowerCase(Locale.ROOT) + "|";
  }

  /**
   * This kind's feature of a measure, found by name: {@code MERCHANT} and {@code TX_COUNT_1D} give
   * {@link Feature#MERCHANT_TX_COUNT_1D}. A kind without one of the eleven fails at class load.
   */
  private Feature measure(String measure) {
    return Feature.valueOf(name() + "_" + measure);
  }

  /** The features this kind's risk gives a payment. */
  public List<Feature> features() {
    return features;
  }

  /** The entity a payment involves, or null if the payment does not name one. */
  public String of(Transaction tx) {
    return ofPayment.apply(tx);
  }

  /** The entity a label's payment involved, or null if the label does not name one. */
  public String of(PaymentLabel label) {
    return ofLabel.apply(label);
  }

  /**
   * The key of an entity's risk on the entity topics and stores: the kind, a bar, the entity
   * ({@code device|hmac:…}, {@code merchant|m-42}), so that one sub-topology serves every kind.
   */
  public String riskKey(String entity) {
    return keyPrefix + entity;
  }

  /** The kind a {@link #riskKey} names, or null if it names none. */
  public static EntityKind ofRiskKey(String key) {
    for (EntityKind kind : values()) {
      if (key != null && key.length() > kind.keyPrefix.length() && key.startsWith(kind.keyPrefix)) {
        return kind;
      }
    }
    return null;
  }
}
