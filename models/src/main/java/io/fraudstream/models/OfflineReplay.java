package io.fraudstream.models;

import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.UserState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a dataset through the same {@link FeatureExtractor} the live topology uses, ordered by
 * event time, with the users' states in memory instead of a state store. No broker involved.
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
    FeatureExtractor extractor = new FeatureExtractor(new IdentifierHasher(hashSecret));
    Map<String, UserState> states = new HashMap<>();
    List<FeatureRow> rows = new ArrayList<>(ordered.size());
    for (Transaction tx : ordered) {
      UserState state = states.computeIfAbsent(tx.user(), user -> UserState.empty());
      rows.add(new FeatureRow(tx, extractor.extract(state, tx)));
    }
    return rows;
  }
}
