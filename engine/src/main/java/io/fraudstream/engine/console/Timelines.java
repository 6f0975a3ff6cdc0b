package io.fraudstream.engine.console;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Feature;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
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

  /** One thing that happened to a user. */
  record Event(Instant at, String kind, String paymentId, Tier tier, double score, String text, List<String> moved) {}

  private static final class Trail {
    final ArrayDeque<Event> events = new ArrayDeque<>();
    float[] lastFeatures;
  }

  private final LinkedHashMap<String, Trail> trails = Bounded.map(USERS, true);
  private final LinkedHashMap<String, String> userOfPayment = Bounded.map(PAYMENTS, false);

  void decision(Decision d) {
    if (d.user() == null) {
      return;
    }
    userOfPayment.put(d.paymentId(), d.user());
    Trail trail = trails.computeIfAbsent(d.user(), user -> new Trail());
    List<Feature> features = Feature.all();
    float[] now = new float[features.size()];
    for (int i = 0; i < now.length; i++) {
      Double value = d.features().get(features.get(i).featureName());
      now[i] = value == null || !Double.isFinite(value) ? Float.NaN : value.floatValue();
    }
    List<String> moved = trail.lastFeatures == null ? List.of() : moved(trail.lastFeatures, now);
    trail.lastFeatures = now;
    String text = String.format(Locale.ROOT, "%s %.2f %s at %s", d.tier(), d.amount(), d.currency() == null ? "" : d.currency(),
        d.merchant() == null ? "no merchant" : d.merchant()) + (d.reasons().isEmpty() ? "" : ": " + String.join("; ", d.reasons()));
    add(trail, new Event(d.timestamp(), "decision", d.paymentId(), d.tier(), d.score(), text, moved));
  }

  void challengeResult(String user, ChallengeResult result) {
    add(user, new Event(result.time(), "challenge", result.paymentId(), null, Double.NaN,
        "challenge " + result.outcome().wireName() + (result.method() == null ? "" : " (" + result.method() + ")"), List.of()));
  }

  /** A block placed on a user, or ({@code block} null) lifted at {@code at}. */
  void block(String entity, Block block, Instant at) {
    if (!entity.startsWith("user:")) {
      return;
    }
    String user = entity.substring("user:".length());
    if (block == null) {
      add(user, new Event(at, "unblock", null, null, Double.NaN, "block lifted", List.of()));
    } else {
      add(user, new Event(block.blockedAt() == null ? at : block.blockedAt(), "block", block.paymentId(), null, Double.NaN,
          "blocked" + (block.expiresAt() == null ? "" : " until " + block.expiresAt()) + (block.reason() == null ? "" : ": " + block.reason()),
          List.of()));
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
      add(user, new Event(at, "label", paymentId, null, Double.NaN, fraud ? "labelled fraud" : "labelled legitimate", List.of()));
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

  /** The features whose value changed most, relative to the larger of the old value and 1, as "name old → new". */
  private static List<String> moved(float[] before, float[] now) {
    List<Feature> features = Feature.all();
    List<int[]> order = new ArrayList<>();
    double[] change = new double[now.length];
    for (int i = 0; i < now.length; i++) {
      if (!Float.isNaN(before[i]) && !Float.isNaN(now[i]) && before[i] != now[i]) {
        change[i] = Math.abs(now[i] - before[i]) / Math.max(1, Math.abs(before[i]));
        order.add(new int[] {i});
      }
    }
    order.sort((a, b) -> Double.compare(change[b[0]], change[a[0]]));
    List<String> moved = new ArrayList<>();
    for (int k = 0; k < Math.min(MOVED_SHOWN, order.size()); k++) {
      int i = order.get(k)[0];
      moved.add(String.format(Locale.ROOT, "%s %s → %s", features.get(i).featureName(), compact(before[i]), compact(now[i])));
    }
    return moved;
  }

  private static String compact(float value) {
    return value == Math.rint(value) && Math.abs(value) < 1e9 ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3g", value);
  }
}
