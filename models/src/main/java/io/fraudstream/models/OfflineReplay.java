package io.fraudstream.models;

import io.fraudstream.features.EntityFeatureExtractor;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.UserState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a dataset through the same {@link FeatureExtractor} and {@link EntityFeatureExtractor}
 * the live topology uses, ordered by event time, with users', devices' and merchants' states in
 * memory instead of state stores. Labels in the dataset are applied right after their payment, as
 * if published on the labels topic at once. No broker involved.
 */
public final class OfflineReplay {

  private OfflineReplay() {}

  /**
   * Computes the feature rows of the given payments. They are replayed in event-time order
   * (ties keep their input order, as they would within a partition); the rows come back in that
   * order.
   */
  public static List<FeatureRow> replay(List<Transaction> transactions, byte[] hashSecret) {
    return replay(transactions, hashSecret, EntityState.DEFAULT_LABEL_DELAY);
  }

  /** As {@link #replay(List, byte[])}, counting labels only for payments older than {@code labelDelay}. */
  public static List<FeatureRow> replay(List<Transaction> transactions, byte[] hashSecret, Duration labelDelay) {
    List<Transaction> ordered = new ArrayList<>(transactions);
    ordered.sort(Comparator.comparing(Transaction::timestamp));
    IdentifierHasher hasher = new IdentifierHasher(hashSecret);
    FeatureExtractor extractor = new FeatureExtractor(hasher);
    EntityFeatureExtractor entities = new EntityFeatureExtractor(hasher, labelDelay);
    Map<String, UserState> users = new HashMap<>();
    Map<EntityKind, Map<String, EntityState>> entityStates = new EnumMap<>(EntityKind.class);
    for (EntityKind kind : EntityKind.values()) {
      entityStates.put(kind, new HashMap<>());
    }
    EntityState[] involved = new EntityState[EntityKind.values().length];
    List<FeatureRow> rows = new ArrayList<>(ordered.size());
    for (Transaction tx : ordered) {
      FeatureVector features = extractor.extract(users.computeIfAbsent(tx.user(), user -> UserState.empty()), tx);
      // Device before merchant, as in the topology; the order does not change the values.
      for (EntityKind kind : EntityKind.values()) {
        String entity = kind.of(tx);
        involved[kind.ordinal()] = entity == null ? null : entityStates.get(kind).computeIfAbsent(entity, e -> EntityState.empty());
        features = entities.extract(kind, involved[kind.ordinal()], tx, features);
      }
      rows.add(new FeatureRow(tx, features));
      // The label is known at once here; the entity features only count labels of payments older
      // than the label delay, so no payment's features see its own or any recent outcome.
      if (Boolean.TRUE.equals(tx.label())) {
        for (EntityState state : involved) {
          if (state != null) {
            EntityFeatureExtractor.confirmFraud(state, tx.timestamp().toEpochMilli());
          }
        }
      }
    }
    return rows;
  }
}
