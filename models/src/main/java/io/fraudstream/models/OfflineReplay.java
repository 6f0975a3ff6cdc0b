package io.fraudstream.models;

import io.fraudstream.features.EntityFeatureExtractor;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.UserState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Replays a dataset through the same {@link FeatureExtractor} and {@link EntityFeatureExtractor}
 * the live topology uses, ordered by event time, with users', devices' and merchants' states in
 * memory instead of state stores. Labels in the dataset are applied right after their payment, as
 * if published on the labels topic at once, and so are challenge outcomes, as if published on the
 * challenge-results topic. No broker involved.
 *
 * <p>It runs in stages, like the topology: user features, then device risk, then merchant risk.
 * Each stage splits the payments by its key into one share per core, each in time order, and
 * runs the shares in parallel. A state is only ever touched by its own key's payments, in time
 * order, so the rows equal those of one thread doing everything.
 */
public final class OfflineReplay {

  private static final EntityKind[] KINDS = EntityKind.values();

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
    return replay(transactions, hashSecret, labelDelay, Runtime.getRuntime().availableProcessors());
  }

  /** As {@link #replay(List, byte[], Duration)}, on {@code threads} threads. */
  static List<FeatureRow> replay(List<Transaction> transactions, byte[] hashSecret, Duration labelDelay, int threads) {
    EntityState.checkLabelDelay(labelDelay);
    List<Transaction> ordered = new ArrayList<>(transactions);
    ordered.sort(Comparator.comparing(Transaction::timestamp));
    // One array per row, filled in place by each stage in turn.
    double[][] features = new double[ordered.size()][];

    stage(ordered, Transaction::user, threads, share -> {
      FeatureExtractor extractor = new FeatureExtractor(new IdentifierHasher(hashSecret));
      Map<String, UserState> users = new HashMap<>();
      for (int i : share) {
        Transaction tx = ordered.get(i);
        features[i] = new double[Feature.count()];
        UserState state = users.computeIfAbsent(tx.user(), user -> UserState.empty());
        extractor.extractInto(state, tx, features[i]);
        learnFromChallenge(state, tx);
      }
    });
    // In EntityKind's order, as the topology sends entity events; the order does not change the values.
    for (EntityKind kind : KINDS) {
      stage(ordered, kind::of, threads, share -> {
        EntityFeatureExtractor extractor = new EntityFeatureExtractor(new IdentifierHasher(hashSecret), labelDelay);
        Map<String, EntityState> entities = new HashMap<>();
        for (int i : share) {
          Transaction tx = ordered.get(i);
          EntityState state = entities.computeIfAbsent(kind.of(tx), entity -> EntityState.empty());
          extractor.extractInto(kind, state, tx, features[i]);
          // The label is known at once here; the entity features only count labels of payments
          // older than the label delay, so no payment's features see its own or any recent outcome.
          if (Boolean.TRUE.equals(tx.label())) {
            EntityFeatureExtractor.confirmFraud(state, tx.timestamp().toEpochMilli());
          }
        }
      });
    }

    List<FeatureRow> rows = new ArrayList<>(ordered.size());
    for (int i = 0; i < features.length; i++) {
      rows.add(new FeatureRow(ordered.get(i), new FeatureVector(features[i])));
    }
    return rows;
  }

  /**
   * The same replay one payment at a time, for datasets larger than memory: payments go in in
   * time order and come back with their features. It holds one state per user, device and
   * merchant, never one per payment, and gives exactly the rows {@link #replay} gives: each
   * stage's state only ever sees its own key's payments in time order, so doing the stages
   * payment by payment instead of stage by stage changes no value. Not thread-safe.
   */
  public static final class Streaming {
    private final FeatureExtractor userExtractor;
    private final EntityFeatureExtractor entityExtractor;
    private final Map<String, UserState> users = new HashMap<>();
    private final Map<EntityKind, Map<String, EntityState>> entities = new EnumMap<>(EntityKind.class);
    private Instant previous = Instant.MIN;

    public Streaming(byte[] hashSecret, Duration labelDelay) {
      EntityState.checkLabelDelay(labelDelay);
      userExtractor = new FeatureExtractor(new IdentifierHasher(hashSecret));
      entityExtractor = new EntityFeatureExtractor(new IdentifierHasher(hashSecret), labelDelay);
      for (EntityKind kind : KINDS) {
        entities.put(kind, new HashMap<>());
      }
    }

    /** The next payment's row; payments must come in time order. */
    public FeatureRow next(Transaction tx) {
      double[] features = new double[Feature.count()];
      if (!next(tx, features)) {
        throw new IllegalArgumentException("payment " + tx.id() + " at " + tx.timestamp() + " comes after one at " + previous
            + ": a streaming replay needs payments in time order");
      }
      return new FeatureRow(tx, new FeatureVector(features));
    }

    /**
     * Computes the next payment's features into {@code features} ({@link Feature#count()}
     * values, overwritten), for a caller that keeps rows its own way; each payment once. Returns
     * false, changing nothing, for a payment earlier than the one before it: a caller that can
     * fall back to a sorted replay needs no order check of its own.
     */
    boolean next(Transaction tx, double[] features) {
      if (tx.timestamp().isBefore(previous)) {
        return false;
      }
      previous = tx.timestamp();
      Arrays.fill(features, 0);
      UserState user = users.computeIfAbsent(tx.user(), id -> UserState.empty());
      userExtractor.extractInto(user, tx, features);
      learnFromChallenge(user, tx);
      for (EntityKind kind : KINDS) {
        String key = kind.of(tx);
        if (key == null) {
          continue;
        }
        EntityState state = entities.get(kind).computeIfAbsent(key, entity -> EntityState.empty());
        entityExtractor.extractInto(kind, state, tx, features);
        if (Boolean.TRUE.equals(tx.label())) {
          EntityFeatureExtractor.confirmFraud(state, tx.timestamp().toEpochMilli());
        }
      }
      return true;
    }
  }

  /**
   * A dataset's challenge outcome is applied right after its payment, at the payment's time, as
   * if its result had come on the challenge-results topic before the user's next payment.
   */
  private static void learnFromChallenge(UserState state, Transaction tx) {
    if (tx.challenge() != null) {
      FeatureExtractor.learnFromChallenge(state, tx.id(), tx.challenge(), tx.timestamp().toEpochMilli());
    }
  }

  /**
   * Splits the indices of payments that have a key into {@code threads} shares by key, each in
   * time order, and runs {@code work} on every share in parallel. Payments without a key are left out.
   */
  private static void stage(List<Transaction> ordered, Function<Transaction, String> key, int threads,
      Consumer<int[]> work) {
    IntList[] shares = new IntList[threads];
    for (int s = 0; s < threads; s++) {
      shares[s] = new IntList(ordered.size() / threads + 16);
    }
    for (int i = 0; i < ordered.size(); i++) {
      String k = key.apply(ordered.get(i));
      if (k != null) {
        shares[Math.floorMod(k.hashCode(), threads)].add(i);
      }
    }
    IntStream.range(0, threads).parallel().forEach(s -> work.accept(shares[s].toArray()));
  }

  /** A growable list of ints, to hold a share's row indices without boxing. */
  private static final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) {
      values = new int[Math.max(16, capacity)];
    }

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
