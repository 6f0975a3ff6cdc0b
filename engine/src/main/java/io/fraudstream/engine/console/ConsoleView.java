package io.fraudstream.engine.console;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Feature;
import io.fraudstream.models.ModelBundle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the console knows, read from the engine's topics: the newest CHALLENGE and BLOCK decisions
 * (the queue, at most {@code capacity}), each with the user's usual feature values from the
 * decisions read before it, the blocks in force, and the labels given. Bounded throughout: the
 * queue by {@code capacity}, the users' habits by {@code users} (least recently seen forgotten).
 */
public final class ConsoleView {

  /** A flagged decision, numbered in the order read, with the user's mean feature values before it ({@code null} when it was the user's first). */
  public record Flagged(long sequence, Decision decision, float[] usual, long usualOver) {}

  /** The queue's filters; {@code null} fields do not filter. */
  public record Filter(Tier tier, String rule, String modelVersion, Instant from, Instant to, String search, long after) {

    public static Filter none() {
      return new Filter(null, null, null, null, null, null, 0);
    }

    boolean accepts(Flagged flagged) {
      Decision d = flagged.decision();
      return flagged.sequence() > after
          && (tier == null || d.tier() == tier)
          && (rule == null || d.reasons().stream().anyMatch(reason -> reason.toLowerCase(Locale.ROOT).contains(rule.toLowerCase(Locale.ROOT))))
          && (modelVersion == null || modelVersion.equals(d.modelVersion()))
          && (from == null || !d.timestamp().isBefore(from))
          && (to == null || d.timestamp().isBefore(to))
          && (search == null || search.equals(d.paymentId()) || search.equals(d.user()));
    }
  }

  private final int capacity;
  private final int users;
  private final ArrayDeque<Flagged> queue = new ArrayDeque<>();
  private final Map<String, Flagged> byPayment = new HashMap<>();
  private final LinkedHashMap<String, Habit> habits;
  private final Map<String, Block> blocks = new HashMap<>();
  private final Map<String, Boolean> labels;
  private long sequence;
  private long unreadable;
  private Instant streamTime;
  private Instant lastSample;
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
  private final Health health = new Health();
  private final LinkedHashMap<String, Tier> tiers;
  private final Map<String, ModelSeen> models = new LinkedHashMap<>();
  private final CaseBook cases = new CaseBook();
  private final Timelines timelines = new Timelines();
  private final Links links = new Links();
  private final ConsoleDrift drift = new ConsoleDrift();
  /** Payments labelled fraud per user, for the rings; as bounded as the users' habits. */
  private final LinkedHashMap<String, Integer> fraudLabels;

  /** A model version in the decisions read: how many it made and when it last made one. */
  public record ModelSeen(String version, long decisions, Instant lastDecidedAt) {}

  /** A user's running mean of each feature over the decisions read. */
  private static final class Habit {
    final float[] mean = new float[Feature.count()];
    long count;
  }

  /** Decisions whose tier is remembered, to judge labels for live precision and recall. */
  static final int TIERS_HELD = 200_000;

  public ConsoleView(int capacity, int users) {
    if (capacity < 1 || users < 1) {
      throw new IllegalArgumentException("the queue and the users remembered must hold at least one");
    }
    this.capacity = capacity;
    this.users = users;
    this.habits = Bounded.map(users, true);
    // Live precision and recall join labels to the tier of every decision, so both are kept for
    // the newest payments only: TIERS_HELD tiers (about 25 MB) and as many labels.
    this.labels = Bounded.map(TIERS_HELD, false);
    this.fraudLabels = Bounded.map(users, true);
    this.tiers = Bounded.map(TIERS_HELD, false);
  }

  /** Reads one decision: every tier teaches the user's habits, CHALLENGE and BLOCK join the queue. */
  public synchronized void decision(Decision decision) {
    if (decision == null || decision.paymentId() == null || decision.tier() == null || decision.timestamp() == null
        || decision.reasons() == null || decision.features() == null) {
      unreadable++;
      return;
    }
    if (streamTime == null || decision.timestamp().isAfter(streamTime)) {
      streamTime = decision.timestamp();
    }
    tiers.put(decision.paymentId(), decision.tier());
    if (decision.decidedAt() != null) {
      health.decision(decision.decidedAt(), decision.tier(), decision.extractionMicros() + decision.scoringMicros());
      if (decision.modelVersion() != null) {
        ModelSeen seen = models.remove(decision.modelVersion());
        models.put(decision.modelVersion(), new ModelSeen(decision.modelVersion(), seen == null ? 1 : seen.decisions() + 1,
            seen == null || decision.decidedAt().isAfter(seen.lastDecidedAt()) ? decision.decidedAt() : seen.lastDecidedAt()));
        if (models.size() > 20) {
          models.remove(models.keySet().iterator().next());
        }
      }
    }
    // Each feature's value read once, NaN when absent: the habits, the timeline and the drift all use it.
    double[] values = new double[Feature.count()];
    List<Feature> features = Feature.all();
    for (int i = 0; i < values.length; i++) {
      Double value = decision.features().get(features.get(i).featureName());
      values[i] = value == null ? Double.NaN : value;
    }
    timelines.decision(decision, values);
    links.decision(decision);
    drift.decision(decision, values);
    Habit habit = decision.user() == null ? null : habits.computeIfAbsent(decision.user(), user -> new Habit());
    if (decision.tier() != Tier.ALLOW && !byPayment.containsKey(decision.paymentId())) {
      float[] usual = habit == null || habit.count == 0 ? null : habit.mean.clone();
      Flagged flagged = new Flagged(++sequence, decision, usual, habit == null ? 0 : habit.count);
      queue.addFirst(flagged);
      byPayment.put(decision.paymentId(), flagged);
      if (queue.size() > capacity) {
        byPayment.remove(queue.removeLast().decision().paymentId());
      }
    }
    if (habit != null) {
      habit.count++;
      for (int i = 0; i < habit.mean.length; i++) {
        if (Double.isFinite(values[i])) {
          habit.mean[i] += (float) ((values[i] - habit.mean[i]) / habit.count);
        }
      }
    }
  }

  /** A record that could not be read as what its topic holds: skipped and counted. */
  public synchronized void unreadable() {
    unreadable++;
  }

  /** A block read from the blocks topic; {@code null} is a tombstone that lifts it. */
  public synchronized void block(String entity, Block block) {
    block(entity, block, Instant.now());
  }

  /** A block, or a tombstone that lifts it, written at {@code at}. */
  public synchronized void block(String entity, Block block, Instant at) {
    timelines.block(entity, block, at);
    if (block == null) {
      blocks.remove(entity);
    } else {
      blocks.put(entity, block);
    }
  }

  public synchronized void label(String paymentId, boolean fraud) {
    label(paymentId, fraud, Instant.now());
  }

  /** A label written at {@code at}. */
  public synchronized void label(String paymentId, boolean fraud, Instant at) {
    Boolean previous = labels.put(paymentId, fraud);
    timelines.label(paymentId, fraud, at);
    drift.label(paymentId, fraud, previous);
    String user = timelines.userOf(paymentId);
    if (user != null && fraud && !Boolean.TRUE.equals(previous)) {
      fraudLabels.merge(user, 1, Integer::sum);
    } else if (user != null && !fraud && Boolean.TRUE.equals(previous)) {
      fraudLabels.computeIfPresent(user, (u, count) -> count <= 1 ? null : count - 1);
    }
  }

  /** The models whose drift and calibration the console shows: the bundles it was given. */
  public synchronized void watch(List<ModelBundle> bundles) {
    drift.watch(bundles);
  }

  synchronized List<ConsoleDrift.Report> driftReports(Instant now) {
    return drift.reports(now);
  }

  /** How a user's step-up verification ended, for the user's timeline. */
  public synchronized void challengeResult(String user, ChallengeResult result) {
    timelines.challengeResult(user, result);
  }

  /** A case record read from the cases topic, or just written by this console. */
  public synchronized void caseRecord(CaseRecord record) {
    cases.record(record);
  }

  /** A case deleted from the cases topic (a tombstone). */
  public synchronized void forgetCase(String id) {
    cases.forget(id);
  }

  /**
   * Forgets a user, as an erasure request asks: their flagged decisions, habits, timeline, links
   * and case records. Returns the ids of the cases forgotten, for tombstones on the cases topic.
   */
  public synchronized List<String> erase(String user) {
    queue.removeIf(flagged -> user.equals(flagged.decision().user()));
    byPayment.values().removeIf(flagged -> user.equals(flagged.decision().user()));
    habits.remove(user);
    fraudLabels.remove(user);
    timelines.forget(user);
    links.forget(user);
    return cases.forgetUser(user);
  }

  /** Every case the decisions held and the case records make, newest activity first. */
  synchronized List<CaseBook.Case> cases() {
    return cases.cases(new ArrayList<>(queue));
  }

  /** One case, or null: derived from the decisions and records of the users its id can name only. */
  synchronized CaseBook.Case caseOf(String id) {
    List<Flagged> ofUser = queue.stream().filter(f -> f.decision().user() != null && id.startsWith(f.decision().user() + "/")).toList();
    return cases.cases(ofUser, id).stream().filter(c -> c.record().id().equals(id)).findFirst().orElse(null);
  }

  synchronized List<Timelines.Event> timeline(String user) {
    return timelines.of(user);
  }

  /** The ring around {@code user}, with each member's worst tier held and count of payments labelled fraud. */
  synchronized RingView ring(String user) {
    Links.Ring ring = links.ring(user);
    Map<String, Tier> worst = new HashMap<>();
    for (Flagged flagged : queue) {
      Decision d = flagged.decision();
      if (d.user() != null && ring.users().contains(d.user())) {
        worst.merge(d.user(), d.tier(), (a, b) -> a.ordinal() >= b.ordinal() ? a : b);
      }
    }
    Map<String, Integer> frauds = new HashMap<>();
    for (String member : ring.users()) {
      Integer count = fraudLabels.get(member);
      if (count != null) {
        frauds.put(member, count);
      }
    }
    return new RingView(ring, worst, frauds);
  }

  /** A ring with what the console knows of its users. */
  record RingView(Links.Ring ring, Map<String, Tier> worstTier, Map<String, Integer> fraudLabels) {}

  /** The newest flagged decisions that pass {@code filter}, at most {@code limit}. */
  public synchronized List<Flagged> queue(Filter filter, int limit) {
    List<Flagged> found = new ArrayList<>();
    for (Iterator<Flagged> it = queue.iterator(); it.hasNext() && found.size() < limit; ) {
      Flagged flagged = it.next();
      if (filter.accepts(flagged)) {
        found.add(flagged);
      }
    }
    return found;
  }

  public synchronized Flagged payment(String paymentId) {
    return byPayment.get(paymentId);
  }

  /** The label given to a payment, or {@code null} when none has been read. */
  public synchronized Boolean labelOf(String paymentId) {
    return labels.get(paymentId);
  }

  /** Blocks not expired at {@code now}, soonest expiry first. */
  public synchronized List<Block> blocksInForce(Instant now) {
    return blocks.values().stream().filter(block -> block.expiresAt() == null || now.isBefore(block.expiresAt()))
        .sorted(Comparator.comparing(Block::expiresAt, Comparator.nullsLast(Comparator.naturalOrder()))).toList();
  }

  /** The block on an entity key ({@code user:u1}), if one is in force at {@code now}. */
  public synchronized Block blockOn(String entity, Instant now) {
    Block block = blocks.get(entity);
    return block == null || (block.expiresAt() != null && !now.isBefore(block.expiresAt())) ? null : block;
  }

  /** Flagged decisions per tier decided within {@code window} before {@code now}. */
  public synchronized Map<Tier, Long> countsWithin(Duration window, Instant now) {
    Map<Tier, Long> counts = new EnumMap<>(Tier.class);
    counts.put(Tier.CHALLENGE, 0L);
    counts.put(Tier.BLOCK, 0L);
    Instant since = now.minus(window);
    Predicate<Decision> recent = d -> d.decidedAt() != null && d.decidedAt().isAfter(since);
    for (Flagged flagged : queue) {
      if (recent.test(flagged.decision())) {
        counts.merge(flagged.decision().tier(), 1L, Long::sum);
      }
    }
    return counts;
  }

  /** A record read from the dead-letter topic, at its record time. */
  public synchronized void deadLetter(Instant recordTime) {
    health.deadLetter(recordTime);
  }

  /**
   * Samples live precision and recall for the chart, at most every {@code SAMPLE_EVERY}: the reader
   * calls it after every poll, so the chart has its points whether or not a page is open.
   */
  public synchronized void sample(Instant now) {
    if (lastSample != null && now.isBefore(lastSample.plus(SAMPLE_EVERY))) {
      return;
    }
    lastSample = now;
    Map<String, Map<Tier, Double>> live = livePrecisionAndRecall();
    health.live(now, live.get("precision").get(Tier.CHALLENGE), live.get("precision").get(Tier.BLOCK),
        live.get("recall").get(Tier.CHALLENGE), live.get("recall").get(Tier.BLOCK));
  }

  /** Per minute of the last two hours: decisions per tier, time in the engine, dead letters, live precision and recall. */
  public synchronized Health.Series health(Instant now) {
    return health.series(now);
  }

  /** The model versions that made the decisions read, most recently seen last. */
  public synchronized List<ModelSeen> models() {
    return List.copyOf(models.values());
  }

  /**
   * Live precision and recall per tier, from the labels read joined to the tiers of the decisions
   * read, as the engine counts them: the fraud share of a tier's labelled decisions, and the share
   * of labelled frauds decided at that tier or a stricter one ({@code NaN} when nothing counts).
   */
  public synchronized Map<String, Map<Tier, Double>> livePrecisionAndRecall() {
    long[][] counts = new long[Tier.values().length][2];
    for (Map.Entry<String, Boolean> label : labels.entrySet()) {
      Tier tier = tiers.get(label.getKey());
      if (tier != null) {
        counts[tier.ordinal()][label.getValue() ? 0 : 1]++;
      }
    }
    long frauds = 0;
    for (long[] tierCounts : counts) {
      frauds += tierCounts[0];
    }
    Map<Tier, Double> precision = new EnumMap<>(Tier.class);
    Map<Tier, Double> recall = new EnumMap<>(Tier.class);
    for (Tier tier : List.of(Tier.CHALLENGE, Tier.BLOCK)) {
      long[] at = counts[tier.ordinal()];
      precision.put(tier, at[0] + at[1] == 0 ? Double.NaN : (double) at[0] / (at[0] + at[1]));
      long caught = at[0] + (tier == Tier.CHALLENGE ? counts[Tier.BLOCK.ordinal()][0] : 0);
      recall.put(tier, frauds == 0 ? Double.NaN : (double) caught / frauds);
    }
    return Map.of("precision", precision, "recall", recall);
  }

  /**
   * The newest payment time read, or {@code wallClock} before any: blocks last in the payments'
   * time, as the engine applies them, so a replayed history's blocks are in force in its own time.
   */
  public synchronized Instant streamTime(Instant wallClock) {
    return streamTime == null ? wallClock : streamTime;
  }

  public synchronized int size() {
    return queue.size();
  }

  public synchronized long unreadableCount() {
    return unreadable;
  }

  public synchronized long lastSequence() {
    return sequence;
  }
}
