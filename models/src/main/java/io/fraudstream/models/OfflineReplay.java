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
   * The same replay one payment ({@link #next}) or one block of payments ({@link #nextBlock}) at
   * a time, for datasets larger than memory: payments go in in time order and come back with
   * their features. It holds one state per user, device and merchant, never one per payment, and
   * gives exactly the rows {@link #replay} gives: each stage's state only ever sees its own key's
   * payments in time order, so doing the stages payment by payment, or block by block, instead of
   * stage by stage changes no value. Not thread-safe.
   */
  public static final class Streaming {
    private static final int GROUP_BITS = 14;
    /** Groups of {@link #groupedBy}: more than the users or merchants a block of payments usually has. */
    static final int GROUPS = 1 << GROUP_BITS;
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
      if (tx.timestamp().isBefore(previous)) {
        throw new IllegalArgumentException("payment " + tx.id() + " at " + tx.timestamp() + " comes after one at " + previous
            + ": a streaming replay needs payments in time order");
      }
      previous = tx.timestamp();
      double[] features = new double[Feature.count()];
      userStep(tx, features);
      for (EntityKind kind : KINDS) {
        if (kind.of(tx) != null) {
          entityStep(kind, tx, features);
        }
      }
      return new FeatureRow(tx, new FeatureVector(features));
    }

    /**
     * Appends the rows of a block of payments in time order to {@code rows}, as {@link #next}
     * would one by one, but stage by stage and, within a stage, each state's payments of the
     * block close together (in their time order). A state then mostly stays in the cache from one
     * of its payments to the next instead of being fetched from memory for each: in blocks of
     * 131,072, the thread replaying the handbook needs about a quarter less CPU
     * (benchmarks/RESULTS.md, 2026-12-06, eighth session). The rows are the same: a state only
     * ever sees its own key's payments, in time order, whichever order the states take turns in.
     * Returns false, changing nothing, if a payment of the block is earlier than the one before it.
     */
    boolean nextBlock(List<Transaction> block, PackedRows rows) {
      Instant newest = previous;
      for (Transaction tx : block) {
        if (tx.timestamp().isBefore(newest)) {
          return false;
        }
        newest = tx.timestamp();
      }
      previous = newest;
      int first = rows.size();
      rows.addAll(block);
      double[] features = new double[Feature.count()];
      for (int i : groupedBy(block, Transaction::user)) {
        Arrays.fill(features, 0);
        userStep(block.get(i), features);
        rows.set(first + i, features);
      }
      for (EntityKind kind : KINDS) {
        for (int i : groupedBy(block, kind::of)) {
          rows.copy(first + i, features);
          entityStep(kind, block.get(i), features);
          rows.set(first + i, features);
        }
      }
      return true;
    }

    private void userStep(Transaction tx, double[] features) {
      UserState user = users.computeIfAbsent(tx.user(), id -> UserState.empty());
      userExtractor.extractInto(user, tx, features);
      learnFromChallenge(user, tx);
    }

    /** The {@code kind} features of a payment that has such an entity. */
    private void entityStep(EntityKind kind, Transaction tx, double[] features) {
      EntityState state = entities.get(kind).computeIfAbsent(kind.of(tx), entity -> EntityState.empty());
      entityExtractor.extractInto(kind, state, tx, features);
      if (Boolean.TRUE.equals(tx.label())) {
        EntityFeatureExtractor.confirmFraud(state, tx.timestamp().toEpochMilli());
      }
    }

    /**
     * The positions in {@code block} of the payments that have a key, grouped by their key's hash
     * code into one of {@value #GROUPS} groups, in block order within a group. Payments of one key
     * are thus in order and close together; keys that share a group take turns, which changes
     * nothing but the order of turns. A counting sort: two passes, no comparison, no object per payment.
     */
    static int[] groupedBy(List<Transaction> block, Function<Transaction, String> key) {
      int[] groupOf = new int[block.size()];
      int[] starts = new int[GROUPS + 1];
      for (int i = 0; i < block.size(); i++) {
        String k = key.apply(block.get(i));
        // Fibonacci hashing: the top bits of the product, so that similar ids spread over the groups.
        groupOf[i] = k == null ? -1 : (k.hashCode() * 0x9E3779B9) >>> (Integer.SIZE - GROUP_BITS);
        if (k != null) {
          starts[groupOf[i] + 1]++;
        }
      }
      for (int g = 0; g < GROUPS; g++) {
        starts[g + 1] += starts[g];
      }
      int[] positions = new int[starts[GROUPS]];
      for (int i = 0; i < block.size(); i++) {
        if (groupOf[i] >= 0) {
          positions[starts[groupOf[i]]++] = i;
        }
      }
      return positions;
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
