package io.fraudstream.models;

import io.fraudstream.features.EntityFeatureExtractor;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.UserState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a dataset through the same {@link FeatureExtractor} and {@link EntityFeatureExtractor}
 * the live topology uses, ordered by event time, with users' and merchants' states in memory
 * instead of state stores. Labels in the dataset are applied right after their payment, as if
 * published on the labels topic at once. No broker involved.
 */
public final class OfflineReplay {

  private OfflineReplay() {}

  /**
   * Computes the feature rows of the given payments. They are replayed in event-time order
   * (ties keep their input order, as they would within a partition); the rows come back in that
   * order.
   */
  public static List<FeatureRow> replay(List<Transaction> transactions, byte[] hashSecret) {
    List<Transaction> ordered = new ArrayList<>(transactions);
    ordered.sort(Comparator.comparing(Transaction::timestamp));
    IdentifierHasher hasher = new IdentifierHasher(hashSecret);
    FeatureExtractor extractor = new FeatureExtractor(hasher);
    EntityFeatureExtractor entities = new EntityFeatureExtractor(hasher);
    Map<String, UserState> states = new HashMap<>();
    Map<String, EntityState> merchants = new HashMap<>();
    List<FeatureRow> rows = new ArrayList<>(ordered.size());
    for (Transaction tx : ordered) {
      UserState state = states.computeIfAbsent(tx.user(), user -> UserState.empty());
      FeatureVector userFeatures = extractor.extract(state, tx);
      EntityState merchant = tx.merchant() == null ? null : merchants.computeIfAbsent(tx.merchant(), m -> EntityState.empty());
      rows.add(new FeatureRow(tx, entities.extract(merchant, tx, userFeatures)));
      // The label is known at once here; the entity features only count labels of payments older
      // than the label delay, so no payment's features see its own or any recent outcome.
      if (merchant != null && Boolean.TRUE.equals(tx.label())) {
        EntityFeatureExtractor.confirmFraud(merchant, tx.timestamp().toEpochMilli());
      }
    }
    return rows;
  }
}
