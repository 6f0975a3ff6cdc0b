package io.fraudstream.engine.serving;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.streams.BackfillProcessor;
import io.fraudstream.models.DriftCounts;
import io.fraudstream.models.ModelBundle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The engine's own meters, all named {@code fraudstream.*} (Prometheus: {@code fraudstream_*}):
 * decisions per tier, latency, scores, dead letters, the models in service, reloads, shadow
 * agreement, and the live precision and recall that labels give. Kafka Streams' own metrics are
 * bound beside these by {@link io.fraudstream.engine.FraudEngine}. Thread-safe: every stream thread records here.
 */
public final class EngineMetrics {

  private static final double[] SCORE_BUCKETS = {0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99};
  private static final int LEGIT = 0;
  private static final int FRAUD = 1;
  private static final String NO_TIER = "NONE";

  private final MeterRegistry registry;
  private final Map<Tier, Counter> decisions = new EnumMap<>(Tier.class);
  private final Timer processing;
  private final Timer endToEnd;
  private final DistributionSummary scores;
  private final DistributionSummary shadowScores;
  private final Counter unmatchedLabels;
  private final Counter hangingTransactionsAborted;
  private final Map<EntityKind, Counter> staleEntityDecisions = new EnumMap<>(EntityKind.class);
  /** Labelled decisions by tier and label; gauges rather than counters, as a corrected label moves one. */
  private final AtomicLongArray labelled = new AtomicLongArray(Tier.values().length * 2);
  private final Map<String, Gauge> modelGauges = new ConcurrentHashMap<>();
  /** By live tier, then by the shadow's tier or {@link #NO_TIER}. */
  private final Map<Tier, Map<String, Counter>> shadowDecisions = new EnumMap<>(Tier.class);
  private final Counter answersConfirmed;
  private final Counter answersSuperseded;
  private final LiveDrift drift = new LiveDrift();

  public EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Tier tier : Tier.values()) {
      decisions.put(tier, Counter.builder("fraudstream.decisions").description("decisions written, by tier")
          .tag("tier", tier.name()).register(registry));
      for (int label : new int[] {LEGIT, FRAUD}) {
        int slot = slot(tier, label);
        Gauge.builder("fraudstream.labelled.decisions", labelled, counts -> counts.get(slot))
            .description("decisions with a fraud/legit label so far, by tier and label")
            .tag("tier", tier.name()).tag("label", label == FRAUD ? "fraud" : "legit").register(registry);
      }
      Gauge.builder("fraudstream.live.precision", this, metrics -> metrics.precision(tier))
          .description("share of labelled decisions of this tier that were fraud").tag("tier", tier.name()).register(registry);
      Map<String, Counter> byShadow = new HashMap<>();
      for (String shadowTier : Stream.concat(Arrays.stream(Tier.values()).map(Tier::name), Stream.of(NO_TIER)).toList()) {
        byShadow.put(shadowTier, counter("fraudstream.shadow.decisions", "decisions with a shadow model, by live tier and the shadow's",
            "live_tier", tier.name(), "shadow_tier", shadowTier));
      }
      shadowDecisions.put(tier, byShadow);
      Gauge.builder("fraudstream.live.recall", this, metrics -> metrics.recall(tier))
          .description("share of labelled frauds decided at this tier or a stricter one").tag("tier", tier.name()).register(registry);
    }
    processing = Timer.builder("fraudstream.decision.processing").description("feature extraction, scoring and deciding, per payment")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry);
    endToEnd = Timer.builder("fraudstream.decision.end.to.end")
        .description("from the payment's own timestamp to its decision; meaningful for live payments, not for replays of old data")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry);
    scores = DistributionSummary.builder("fraudstream.score").description("the live model's fraud scores")
        .serviceLevelObjectives(SCORE_BUCKETS).register(registry);
    shadowScores = DistributionSummary.builder("fraudstream.shadow.score").description("the shadow model's fraud scores")
        .serviceLevelObjectives(SCORE_BUCKETS).register(registry);
    // Served at 0 from the start, so that an alert on any increase needs no special case for its absence.
    hangingTransactionsAborted = Counter.builder("fraudstream.hanging.transactions.aborted")
        .description("transactions left open for good on the engine's internal partitions, aborted by its watchdog")
        .register(registry);
    for (LiveDrift.Window window : LiveDrift.Window.values()) {
      for (Feature feature : Feature.all()) {
        Gauge.builder("fraudstream.feature.drift", this, metrics -> metrics.featureDrift(feature.featureName(), window))
            .description("population stability index of the feature's live values against the live model's training rows, "
                + "over the window; NaN below 500 payments or for a model without training distributions")
            .tag("feature", feature.featureName()).tag("window", window.label()).register(registry);
      }
      Gauge.builder("fraudstream.score.drift", this, metrics -> metrics.scoreDrift(window))
          .description("population stability index of the live scores against the live model's held-out scores, over the window")
          .tag("window", window.label()).register(registry);
    }
    answersConfirmed = counter("fraudstream.answers.confirmed", "answers of the decide endpoint seen committed unchanged");
    answersSuperseded = counter("fraudstream.answers.superseded",
        "answers of the decide endpoint whose committed decision differs: the deciding instance failed before its commit");
    unmatchedLabels = Counter.builder("fraudstream.labels.unmatched")
        .description("labels for payments older than the retention of decision outcomes")
        .register(registry);
    Gauge.builder("fraudstream.friction.challenges.per.thousand", this, EngineMetrics::challengesPerThousand)
        .description("CHALLENGE decisions per 1,000 decisions since the engine started").register(registry);
    Gauge.builder("fraudstream.friction.challenged.legit.share", this, EngineMetrics::challengedLegitShare)
        .description("share of labelled CHALLENGE decisions whose payment proved legitimate: the friction good users paid")
        .register(registry);
    for (EntityKind kind : EntityKind.values()) {
      staleEntityDecisions.put(kind, Counter.builder("fraudstream.entity.stale.decisions")
          .description("decisions made on entity risk older than the consistency model allows, by entity kind")
          .tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry));
    }
  }

  /** Meters kept in memory only, for tests and tools that do not serve them. */
  public static EngineMetrics inMemory() {
    return new EngineMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void decided(Decision decision) {
    decisions.get(decision.tier()).increment();
    processing.record((long) ((decision.extractionMicros() + decision.scoringMicros()) * 1000), TimeUnit.NANOSECONDS);
    long lagMillis = decision.decidedAt().toEpochMilli() - decision.timestamp().toEpochMilli();
    if (lagMillis >= 0) {
      endToEnd.record(lagMillis, TimeUnit.MILLISECONDS);
    }
    if (!Double.isNaN(decision.score())) {
      scores.record(decision.score());
    }
    Decision.Shadow shadow = decision.shadow();
    if (shadow != null) {
      if (!Double.isNaN(shadow.score())) {
        shadowScores.record(shadow.score());
      }
      shadowDecisions.get(decision.tier()).get(shadow.tier() == null ? NO_TIER : shadow.tier().name()).increment();
    }
  }

  public void deadLetter(String sourceTopic) {
    counter("fraudstream.dead.letters", "records sent to the dead-letter topic, by the topic they were read from",
        "source", sourceTopic == null ? "unknown" : sourceTopic).increment();
  }

  /** A record diverted by one of Kafka Streams' exception handlers, by stage (deserialization, processing, production). */
  public void recordError(String stage) {
    counter("fraudstream.record.errors", "records diverted by an exception handler, by stage", "stage", stage).increment();
  }

  /** A record read and deliberately not used, by why (each reason is documented in docs/operate.md, "The input contract"). */
  public void skipped(String reason) {
    counter("fraudstream.skipped.records", "records read and deliberately not used, by why", "reason", reason).increment();
  }

  /**
   * A payment of history read from the backfill topic: applied to its user's state, or already
   * held there (sent twice, or overlapping the live feed) and skipped.
   */
  public void backfilled(BackfillProcessor.Applied applied) {
    counter("fraudstream.backfill.payments", "payments of history read from the backfill topic, by whether they were applied",
        "result", applied.name().toLowerCase(Locale.ROOT).replace('_', '-')).increment();
  }

  /** A label for a backfilled payment: it feeds entity risk, but judges no decision, as none was made live. */
  public void labelOfBackfilledPayment() {
    counter("fraudstream.backfill.labels.not.judged", "labels of backfilled payments: they feed entity risk but judge no decision").increment();
  }

  /** A stored state this version cannot read, read as absent: its user or entity starts afresh. */
  public void unreadableState(String store) {
    counter("fraudstream.state.unreadable", "stored states this version cannot read, read as absent, by store", "store", store).increment();
  }

  /** A transaction left open for good on one of the engine's internal partitions, aborted (see {@code HangingTransactions}). */
  public void abortedHangingTransaction() {
    hangingTransactionsAborted.increment();
  }

  /**
   * A request to the decide endpoint answered, by outcome: {@code decided}, {@code fallback} (no
   * decision by the deadline), or why it was refused ({@code bad-request}, {@code conflict},
   * {@code busy}, {@code unavailable}, {@code unauthorised}); {@code nanos} from the request read to
   * the answer sent.
   */
  public void answered(String outcome, long nanos) {
    Timer.builder("fraudstream.answers").description("requests to the decide endpoint answered, by outcome, from request to answer")
        .tag("outcome", outcome).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A decision answered by the decide endpoint, then seen committed on the decisions topic: the
   * same ({@code superseded} false), or different because the deciding instance failed before
   * its commit and the payment was decided again.
   */
  public void answerCommitted(boolean superseded) {
    (superseded ? answersSuperseded : answersConfirmed).increment();
  }

  /** A stream thread died of an error that was not about one record and was replaced by a new one. */
  public void streamThreadReplaced() {
    counter("fraudstream.stream.threads.replaced", "stream threads that died of an error not about one record, replaced").increment();
  }

  /** A label met its decision; {@code previous} is the label it had before, or null. */
  public void labelled(Tier tier, boolean fraud, Boolean previous) {
    if (previous != null) {
      int old = slot(tier, previous ? FRAUD : LEGIT);
      labelled.getAndUpdate(old, count -> Math.max(0, count - 1));
    }
    labelled.incrementAndGet(slot(tier, fraud ? FRAUD : LEGIT));
  }

  /** A CHALLENGE decision, by the kind of its first reason ({@code Reasons.kindOf}), for the pass rate per reason. */
  public void challengeIssued(String reason) {
    counter("fraudstream.challenges.issued", "CHALLENGE decisions, by the kind of their first reason", "reason", reason).increment();
  }

  /**
   * A challenge result, by outcome and by the kind of reason its payment was challenged for
   * ({@code not-issued-here} when this engine's open challenges did not hold it: challenged by
   * the app itself, answered after a day, or a repeat); and what it taught the user's state.
   */
  public void challengeResult(ChallengeResult.Outcome outcome, String reason, FeatureExtractor.Learned learned) {
    counter("fraudstream.challenge.results", "challenge results, by outcome and by the kind of reason the payment was challenged for",
        "outcome", outcome.wireName(), "reason", reason == null ? "not-issued-here" : reason).increment();
    counter("fraudstream.challenge.results.learned", "challenge results, by what they taught the user's state",
        "learned", learned.name().toLowerCase(Locale.ROOT).replace('_', '-')).increment();
  }

  public double challengesPerThousand() {
    double all = 0;
    for (Counter counter : decisions.values()) {
      all += counter.count();
    }
    return all == 0 ? Double.NaN : 1000 * decisions.get(Tier.CHALLENGE).count() / all;
  }

  public double challengedLegitShare() {
    long legit = labelled.get(slot(Tier.CHALLENGE, LEGIT));
    long all = legit + labelled.get(slot(Tier.CHALLENGE, FRAUD));
    return all == 0 ? Double.NaN : (double) legit / all;
  }

  /** Says so when {@code model} keeps no training data to measure drift against (made before bundle format 4). */
  public static void warnIfNotWatched(ModelBundle model) {
    if (model.reference() == null) {
      LoggerFactory.getLogger(EngineMetrics.class).warn("Model {} keeps no training distributions (a bundle made before format 4): "
          + "its drift is not measured and fraudstream_feature_drift stays NaN; retrain it with this version to watch it", model.version());
    }
  }

  /** A decision of {@code model} on {@code features}, for its drift from the model's training data. */
  public void drift(ModelBundle model, FeatureVector features, double score, Instant decidedAt) {
    drift.record(model, features, score, decidedAt);
  }

  double featureDrift(String feature, LiveDrift.Window window) {
    DriftCounts counts = drift.counts(window, Instant.now());
    int index = counts == null ? -1 : counts.names().indexOf(feature);
    return index < 0 ? Double.NaN : counts.featurePsi(index);
  }

  double scoreDrift(LiveDrift.Window window) {
    DriftCounts counts = drift.counts(window, Instant.now());
    return counts == null ? Double.NaN : counts.scorePsi();
  }

  /** The live drift's counts over {@code window}, or null when the model in service keeps no training distributions. */
  public DriftCounts driftCounts(LiveDrift.Window window) {
    return drift.counts(window, Instant.now());
  }

  /** A decision made before the entity sub-topology had applied its entity's events up to the staleness bound. */
  public void staleEntityValues(EntityKind kind) {
    staleEntityDecisions.get(kind).increment();
  }

  public void unmatchedLabel() {
    unmatchedLabels.increment();
  }

  public double precision(Tier tier) {
    long fraud = labelled.get(slot(tier, FRAUD));
    long all = fraud + labelled.get(slot(tier, LEGIT));
    return all == 0 ? Double.NaN : (double) fraud / all;
  }

  public double recall(Tier tier) {
    long caught = 0;
    long frauds = 0;
    for (Tier each : Tier.values()) {
      long count = labelled.get(slot(each, FRAUD));
      frauds += count;
      if (each.ordinal() >= tier.ordinal()) {
        caught += count;
      }
    }
    return frauds == 0 ? Double.NaN : (double) caught / frauds;
  }

  /** The model serving in {@code role} (live or shadow), as an info gauge of 1 tagged with its version. */
  public void modelInService(String role, String version, String provenance) {
    Gauge previous = modelGauges.remove(role);
    if (previous != null) {
      registry.remove(previous);
    }
    if (version != null) {
      modelGauges.put(role, Gauge.builder("fraudstream.model.info", () -> 1).description("the model in service, by role")
          .tag("role", role).tag("version", version).tag("provenance", provenance).register(registry));
    }
  }

  /** A reload of a model or rules file was tried: {@code outcome} is loaded or refused. */
  public void reload(String kind, String outcome) {
    counter("fraudstream.reloads", "reloads of a model or rules file tried, by kind and outcome", "kind", kind, "outcome", outcome).increment();
  }

  /** Where answers wait, and how many payment ids are remembered: gauges read from the decide endpoint's own structures. */
  public void answersWaiting(Supplier<Number> waiting) {
    Gauge.builder("fraudstream.answers.waiting", waiting).description("requests to the decide endpoint waiting for their payment's decision")
        .register(registry);
  }

  public void answersRemembered(Supplier<Number> remembered) {
    Gauge.builder("fraudstream.answers.remembered", remembered)
        .description("payment ids the decide endpoint remembers, for retries and to compare answers with committed decisions")
        .register(registry);
  }

  private Counter counter(String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  private static int slot(Tier tier, int label) {
    return tier.ordinal() * 2 + label;
  }
}
