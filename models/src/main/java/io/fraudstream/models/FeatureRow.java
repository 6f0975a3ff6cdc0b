package io.fraudstream.models;

import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.Transaction;

/** One replayed payment with the features the live engine would have computed for it. */
public record FeatureRow(Transaction transaction, FeatureVector features) {

  /** True when the payment is labelled as fraud. */
  public boolean fraud() {
    return Boolean.TRUE.equals(transaction.label());
  }
}
