package io.fraudstream.engine.console;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Decimals;
import io.fraudstream.features.Feature;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Each user's recent history as the console read it: decisions of every tier (with the features
 * that moved most since the user's previous one), challenge results, blocks placed and lifted,
 * and labels. Bounded: the last {@link #EVENTS_PER_USER} events of the {@link #USERS} users seen
 * most recently, and the user of the last {@link #PAYMENTS} payments, so that a label finds its
 * user. Not thread-safe: {@link ConsoleView} guards it.
 */
final class Timelines {

  static final int USERS = 20_000;
  static final int EVENTS_PER_USER = 32;
  static final int PAYMENTS = 200_000;
  private static final int MOVED_SHOWN = 3;

  /**
   * One thing that happened to a user. For a decision, {@code moved} holds the catalogue indices of
   * the features that moved most since the user's previous decision and {@code from}/{@code to}
   * their values, put in words only when shown.
   */
  record Event(Instant at, String kind, String paymentId, Tier tier, double score, String text, int[] moved, float[] from, float[] to) {

    Event(Instant at, String kind, String paymentId, String text) {
      this(at, kind, paymentId, null, Double.NaN, text, NONE, null, null);
    }

    /** The features that moved most, as {@code name old → new}. */
    List<String> movedWords() {
      List<String> words = new ArrayList<>();
      for (int k = 0; k < moved.length; k++) {
        words.add(Feature.all().get(moved[k]).featureName() + " " + compact(from[k]) + " → " + compact(to[k]));
      }
      return words;
    }
  }

  private static final int[] NONE = new int[0];

  private static final class Trail {
    final ArrayDeque<Event> events = new ArrayDeque<>();
    float[] lastFeatures;
  }

  private final LinkedHashMap<String, Trail> trails = Bounded.map(USERS, true);
  private final LinkedHashMap<String, String> userOfPayment = Bounded.map(PAYMENTS, false);

  /** @param values the decision's feature values in the catalogue's order, NaN where absent */
  void decision(Decision d, double[] values) {
    if (d.user() == null) {
      return;
    }
    userOfPayment.put(d.paymentId(), d.user());
    Trail trail = trails.computeIfAbsent(d.user(), user -> new Trail());
    float[] last = trail.lastFeatures;
    int[] moved = NONE;
    float[] from = null;
    float[] to = null;
    if (last != null) {
      // The largest changes, relative to the larger of the old value and 1, kept in order as found.
      int[] top = new int[MOVED_SHOWN];
      double[] change = new double[MOVED_SHOWN];
      int found = 0;
      for (int i = 0; i < values.length; i++) {
        float before = last[i];
        float after = (float) values[i];
        if (Float.isNaN(before) || Float.isNaN(after) || before == after) {
          continue;
        }
        double c = Math.abs(after - before) / Math.max(1, Math.abs(before));
        int at = found < MOVED_SHOWN ? found++ : MOVED_SHOWN;
        for (; at > 0 && change[at - 1] < c; at--) {
          if (at < MOVED_SHOWN) {
            top[at] = top[at - 1];
            change[at] = change[at - 1];
          }
        }
        if (at < MOVED_SHOWN) {
          top[at] = i;
          change[at] = c;
        }
      }
      moved = Arrays.copyOf(top, found);
      from = new float[found];
      to = new float[found];
      for (int k = 0; k < found; k++) {
        from[k] = last[moved[k]];
        to[k] = (float) values[moved[k]];
      }
    }
    float[] now = last != null ? last : new float[values.length];
    for (int i = 0; i < values.length; i++) {
      now[i] = (float) values[i];
    }
    trail.lastFeatures = now;
    StringBuilder text = new StringBuilder(64).append(d.tier()).append(' ').append(Decimals.fixedPoint(d.amount(), 2))
        .append(' ').append(d.currency() == null ? "" : d.currency()).append(" at ").append(d.merchant() == null ? "no merchant" : d.merchant());
    if (!d.reasons().isEmpty()) {
      text.append(": ").append(String.join("; ", d.reasons()));
    }
    add(trail, new Event(d.timestamp(), "decision", d.paymentId(), d.tier(), d.score(), text.toString(), moved, from, to));
  }

  void challengeResult(String user, ChallengeResult result) {
    add(user, new Event(result.time(), "challenge", result.paymentId(),
        "challenge " + result.outcome().wireName() + (result.method() == null ? "" : " (" + result.method() + ")")));
  }

  /** A block placed on a user, or ({@code block} null) lifted at {@code at}. */
  void block(String entity, Block block, Instant at) {
    if (!entity.startsWith("user:")) {
      return;
    }
    String user = entity.substring("user:".length());
    if (block == null) {
      add(user, new Event(at, "unblock", null, "block lifted"));
    } else {
      add(user, new Event(block.blockedAt() == null ? at : block.blockedAt(), "block", block.paymentId(),
          "blocked" + (block.expiresAt() == null ? "" : " until " + block.expiresAt()) + (block.reason() == null ? "" : ": " + block.reason())));
    }
  }

  void label(String paymentId, boolean fraud, Instant at) {
    String user = userOfPayment.get(paymentId);
    if (user != null) {
      // A label written here and read back from the topic, or corrected later, is shown once: the latest.
      Trail trail = trails.get(user);
      if (trail != null) {
        trail.events.removeIf(event -> event.kind().equals("label") && paymentId.equals(event.paymentId()));
      }
      add(user, new Event(at, "label", paymentId, fraud ? "labelled fraud" : "labelled legitimate"));
    }
  }

  void forget(String user) {
    trails.remove(user);
    userOfPayment.values().removeIf(user::equals);
  }

  String userOf(String paymentId) {
    return userOfPayment.get(paymentId);
  }

  /** The user's events held, oldest first. */
  List<Event> of(String user) {
    Trail trail = trails.get(user);
    if (trail == null) {
      return List.of();
    }
    List<Event> events = new ArrayList<>(trail.events);
    events.sort(Comparator.comparing(Event::at));
    return events;
  }

  private void add(String user, Event event) {
    add(trails.computeIfAbsent(user, u -> new Trail()), event);
  }

  private static void add(Trail trail, Event event) {
    trail.events.addLast(event);
    if (trail.events.size() > EVENTS_PER_USER) {
      trail.events.removeFirst();
    }
  }

  private static String compact(float value) {
    return value == Math.rint(value) && Math.abs(value) < 1e9 ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3g", value);
  }
}
