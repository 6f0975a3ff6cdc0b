package io.fraudstream.models.data;

import java.util.Map;
import java.util.TreeSet;

/**
 * The kind of each fraud of a dataset, by payment id, as its {@code fraud.type} column names it
 * (the handbook's {@code TX_FRAUD_SCENARIO}). Ground truth for reports only: it is kept apart from
 * the payments, so no feature can read it.
 */
public record FraudKinds(Map<String, String> byPayment) {

  /** For datasets without a kind column. */
  public static final FraudKinds NONE = new FraudKinds(Map.of());

  /** The word for a fraud whose row names no kind. */
  public static final String UNNAMED = "(not named)";

  public FraudKinds {
    byPayment = Map.copyOf(byPayment);
  }

  public boolean isEmpty() {
    return byPayment.isEmpty();
  }

  /** The kind of a fraud, or {@link #UNNAMED}. */
  public String of(String paymentId) {
    return byPayment.getOrDefault(paymentId, UNNAMED);
  }

  /** Every kind named, sorted. */
  public TreeSet<String> kinds() {
    return new TreeSet<>(byPayment.values());
  }
}
