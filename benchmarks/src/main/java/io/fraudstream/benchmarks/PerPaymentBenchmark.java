package io.fraudstream.benchmarks;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.serving.LiveDrift;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.EntityFeatureExtractor;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.UserState;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's per-payment work without Kafka: feature extraction against in-memory state, state
 * serialisation (what the store does on every payment), scoring, and the whole decision.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PerPaymentBenchmark {

  private static final byte[] SECRET = "benchmark-secret-0123456".getBytes(StandardCharsets.UTF_8);
  private List<Transaction> payments;
  private FeaturedTransaction[] featured;
  private byte[][] records;
  private Map<String, UserState> states;
  private FeatureExtractor extractor;
  private ModelScorer scorer;
  private DecisionPolicy policy;
  private DecisionPolicy policyWithRules;
  private UserState typicalState;
  private Decision[] decisions;
  private byte[] busyMerchant;
  private EntityFeatureExtractor entityExtractor;
  private int next;
  private ModelBundle bundle;
  private LiveDrift drift;
  private Instant driftClock;

  private static final Feature[] REASON_FEATURES = {Feature.TX_COUNT_1H, Feature.AMOUNT_TO_MEAN_RATIO, Feature.DISTANCE_KM};
  private static final double[] REASON_VALUES = {12, 4.37, 523.4};

  @Setup(Level.Trial)
  public void setUp() {
    payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(2_000, 30, 1));
    bundle = ModelTrainer.train(OfflineReplay.replay(payments, SECRET), ModelTrainer.Settings.defaults("benchmark"));
    drift = new LiveDrift();
    driftClock = Instant.parse("2026-12-01T00:00:00Z");
    scorer = new ModelScorer(bundle);
    policy = new DecisionPolicy(bundle, Duration.ofHours(24));
    // A rules file of the shape docker/config/rules.txt suggests: lists, limits and conditions.
    IdentifierHasher hasher = new IdentifierHasher(SECRET);
    Rules rules = Rules.parse("benchmark rules", """
        allow user u-ceo u-treasury
        allow merchant m-payroll
        block device stolen-1 stolen-2 stolen-3 reason "reported stolen"
        block country XX YY
        limit amount 10000
        limit tx_count_1m 10 challenge
        when tx_count_1m > 5 and new_device then block "burst of payments from a new device"
        when amount > 500 and (new_merchant or new_counterparty) and not first_payment then challenge "large payment to someone new"
        when night and new_country then challenge "night payment from a new country"
        """, hasher);
    policyWithRules = new DecisionPolicy(bundle, rules, Duration.ofHours(24));
    extractor = new FeatureExtractor(new IdentifierHasher(SECRET));
    states = new HashMap<>();
    featured = new FeaturedTransaction[payments.size()];
    for (int i = 0; i < payments.size(); i++) {
      Transaction tx = payments.get(i);
      UserState state = states.computeIfAbsent(tx.user(), user -> UserState.empty());
      featured[i] = new FeaturedTransaction(tx, extractor.extract(state, tx), 0);
    }
    typicalState = states.get(payments.get(payments.size() - 1).user());
    records = payments.stream().map(TransactionJson::write).toArray(byte[][]::new);
    decisions = new Decision[1_000];
    for (int i = 0; i < decisions.length; i++) {
      decisions[i] = policy.decide(featured[i], Instant.EPOCH);
    }
    // A merchant's state as the payment path reads it from the global store: the first 3,000
    // payments of the data set, of many users, all made there.
    entityExtractor = new EntityFeatureExtractor(new IdentifierHasher(SECRET), EntityState.DEFAULT_LABEL_DELAY);
    EntityState merchant = EntityState.empty();
    double[] scratch = new double[Feature.count()];
    payments.stream().limit(3_000).sorted(Comparator.comparing(Transaction::timestamp)).forEach(tx ->
        entityExtractor.extractInto(EntityKind.MERCHANT, merchant, tx.toBuilder().merchant("m1").build(), scratch));
    busyMerchant = merchant.toBytes();
  }

  /** Writing a decision to its topic: JSON with the 60 features by name. */
  @Benchmark
  public byte[] writeDecision() {
    return Topics.DECISION_SERDE.serializer().serialize("decisions", decisions[nextIndex() % decisions.length]);
  }

  /** The payment path's work per entity: read the published state and take the payment's features from a copy of it. */
  @Benchmark
  public double[] joinEntityRisk() {
    double[] values = featured[nextIndex()].features().toArray();
    Transaction tx = payments.get(next).toBuilder().merchant("m1").build();
    entityExtractor.extractInto(EntityKind.MERCHANT, EntityState.fromBytes(busyMerchant), tx, values);
    return values;
  }

  private int nextIndex() {
    int index = next;
    next = next + 1 == payments.size() ? 0 : next + 1;
    return index;
  }

  /** Per-user feature extraction on a warm state (the under-1-µs target). */
  @Benchmark
  public FeatureVector extractFeatures() {
    Transaction tx = payments.get(nextIndex());
    return extractor.extract(states.get(tx.user()), tx);
  }

  /** Reading a payment from its record: the input contract's checks and the streaming parse. */
  @Benchmark
  public ParsedTransaction readPayment() {
    return TransactionJson.parse(records[nextIndex()]);
  }

  /** What the state store adds per payment: one deserialisation and one serialisation. */
  @Benchmark
  public byte[] roundTripState() {
    return UserState.fromBytes(typicalState.toBytes()).toBytes();
  }

  /** Tribuo scoring with per-feature contributions. */
  @Benchmark
  public ModelScorer.Score score() {
    return scorer.score(featured[nextIndex()].features());
  }

  /** Scoring, tier, reasons and the decision record. */
  @Benchmark
  public Object decide() {
    return policy.decide(featured[nextIndex()], Instant.EPOCH);
  }

  /** The same with a typical rules file: lists, two limits and three conditions. */
  @Benchmark
  public Object decideWithRules() {
    return policyWithRules.decide(featured[nextIndex()], Instant.EPOCH);
  }

  /** A reason's wording: a count, a ratio and a distance in turn (a decision has up to three reasons). */
  @Benchmark
  public String wordReason() {
    int i = nextIndex() % REASON_FEATURES.length;
    return REASON_FEATURES[i].reason(REASON_VALUES[i]);
  }

  /** The same wording through the JDK's formatter, as reasons were written until 2026-12-08. */
  @Benchmark
  public String wordReasonWithFormatter() {
    int i = nextIndex() % REASON_FEATURES.length;
    return String.format(Locale.ROOT, REASON_FEATURES[i].reasonFormat(), REASON_VALUES[i]);
  }

  /** Counting a decision's feature values and score in the live model's drift windows (an hour and a day). */
  @Benchmark
  public void recordDrift() {
    int i = nextIndex();
    driftClock = driftClock.plusMillis(1);
    drift.record(bundle, featured[i].features(), decisions[i % decisions.length].score(), driftClock);
  }
}
