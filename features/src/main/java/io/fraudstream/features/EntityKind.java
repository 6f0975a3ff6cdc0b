package io.fraudstream.features;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The kinds of entity, besides the user, whose risk is computed across all users: the merchant
 * or terminal paid, and the device paid from. Each has its own keyed state and the same ten
 * features.
 */
public enum EntityKind {

  /** Keyed by the merchant id as given: a business, not a person. */
  MERCHANT(Transaction::merchant, PaymentLabel::merchant, List.of(
      Feature.MERCHANT_TX_COUNT_1D, Feature.MERCHANT_TX_COUNT_7D, Feature.MERCHANT_TX_COUNT_30D,
      Feature.MERCHANT_USERS_1D, Feature.MERCHANT_USERS_7D, Feature.MERCHANT_USERS_30D,
      Feature.MERCHANT_FRAUDS_30D, Feature.MERCHANT_FRAUD_RATE_30D, Feature.MERCHANT_FRAUD_RATE_1D, Feature.MERCHANT_FRAUD_RATE_7D)),
  /** Keyed by the device's token ({@link IdentifierHasher#token}), never by the raw device id. */
  DEVICE(Transaction::device, PaymentLabel::device, List.of(
      Feature.DEVICE_TX_COUNT_1D, Feature.DEVICE_TX_COUNT_7D, Feature.DEVICE_TX_COUNT_30D,
      Feature.DEVICE_USERS_1D, Feature.DEVICE_USERS_7D, Feature.DEVICE_USERS_30D,
      Feature.DEVICE_FRAUDS_30D, Feature.DEVICE_FRAUD_RATE_30D, Feature.DEVICE_FRAUD_RATE_1D, Feature.DEVICE_FRAUD_RATE_7D));

  private final Function<Transaction, String> ofPayment;
  private final Function<PaymentLabel, String> ofLabel;
  private final String keyPrefix;
  private final List<Feature> features;
  final Feature txCount1d;
  final Feature txCount7d;
  final Feature txCount30d;
  final Feature users1d;
  final Feature users7d;
  final Feature users30d;
  final Feature frauds30d;
  final Feature fraudRate30d;
  final Feature fraudRate1d;
  final Feature fraudRate7d;

  EntityKind(Function<Transaction, String> ofPayment, Function<PaymentLabel, String> ofLabel, List<Feature> features) {
    this.ofPayment = ofPayment;
    this.ofLabel = ofLabel;
    this.keyPrefix = name().toLowerCase(Locale.ROOT) + "|";
    this.features = List.copyOf(features);
    this.txCount1d = features.get(0);
    this.txCount7d = features.get(1);
    this.txCount30d = features.get(2);
    this.users1d = features.get(3);
    this.users7d = features.get(4);
    this.users30d = features.get(5);
    this.frauds30d = features.get(6);
    this.fraudRate30d = features.get(7);
    this.fraudRate1d = features.get(8);
    this.fraudRate7d = features.get(9);
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
