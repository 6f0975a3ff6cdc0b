package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Drift of a dataset from a bundle's training data: the index on hand-checked histograms, the
 * calibration's deciles, a synthetic shift flagged on the right features, and no alarm on
 * unshifted data over many seeds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriftTest {

  private static final byte[] SECRET = "drift-test-secret-0123456".getBytes(StandardCharsets.UTF_8);
  /** Users and days of every synthetic stream: the training one and each live one alike. */
  private static final int USERS = 150;
  private static final int DAYS = 10;

  private ModelBundle bundle;

  @BeforeAll
  void train() {
    List<FeatureRow> rows = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(USERS, DAYS, 1)), SECRET);
    bundle = ModelTrainer.train(rows, ModelTrainer.Settings.defaults("drift").withTrainer(TrainerSpec.parse("logistic")));
  }

  @Test
  void theIndexIsZeroForTheSameSharesAndAsComputedByHandForAShift() {
    DriftReference.Histogram half = DriftReference.Histogram.of(new double[] {0, 0, 1, 1});
    assertEquals(3, half.bins(), "at or below 0, up to 1, and above anything seen in training");
    assertEquals(0.0, half.psi(new long[] {50, 50, 0}), 1e-12);
    // (0.8 - 0.5) ln(0.8 / 0.5) + (0.2 - 0.5) ln(0.2 / 0.5); the empty bin adds nothing
    assertEquals(0.3 * Math.log(1.6) + 0.3 * Math.log(2.5), half.psi(new long[] {80, 20, 0}), 1e-12);
    DriftReference.Histogram tenths = DriftReference.Histogram.of(IntStream.range(0, 1000).asDoubleStream().toArray());
    assertEquals(11, tenths.bins(), "the smallest value, then nine tenths, then above all of them");
    assertEquals(0, tenths.binOf(-5));
    assertEquals(1, tenths.binOf(50));
    assertEquals(10, tenths.binOf(5000));
    assertEquals(10, tenths.binOf(Double.NaN), "a missing value counts in the last bin, alike in training and live");
  }

  @Test
  void calibrationDecilesCountTheFraudsOfEachTenthOfTheScores() {
    double[] scores = new double[20];
    boolean[] fraud = new boolean[20];
    for (int i = 0; i < 20; i++) {
      scores[i] = i / 20.0;
      fraud[i] = i >= 16 || i == 3;
    }
    List<DriftReference.Decile> deciles = DriftReference.deciles(scores, fraud);
    assertEquals(10, deciles.size());
    assertEquals(new DriftReference.Decile(0.0, 0.05, 2, 0), deciles.get(0));
    assertEquals(new DriftReference.Decile(0.1, 0.15, 2, 1), deciles.get(1));
    assertEquals(new DriftReference.Decile(0.8, 0.85, 2, 2), deciles.get(8));
    assertEquals(1.0, deciles.get(9).fraudRate());
    DriftReference reference = new DriftReference(List.of(), DriftReference.Histogram.of(scores), deciles);
    assertEquals(0, reference.decileOf(0.01));
    assertEquals(1, reference.decileOf(0.12));
    assertEquals(9, reference.decileOf(0.99));
  }

  @Test
  void theBundleRemembersItsTrainingDistributions() {
    DriftReference reference = bundle.reference();
    assertEquals(bundle.manifest().features().size(), reference.features().size());
    assertEquals(10, reference.calibration().size());
    long heldOut = reference.calibration().stream().mapToLong(DriftReference.Decile::payments).sum();
    assertEquals(bundle.manifest().metrics().get("validation_rows").longValue(), heldOut);
  }

  @Test
  void unshiftedStreamsRaiseNoAlarmOverManySeeds() {
    int seeds = 10;
    int alarms = 0;
    double worst = 0;
    for (int seed = 2; seed < 2 + seeds; seed++) {
      DriftCounts counts = measure(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(USERS, DAYS, seed)), 0);
      for (DriftCounts.Drift drift : counts.mostDrifted(Integer.MAX_VALUE)) {
        worst = Math.max(worst, drift.psi());
        alarms += drift.psi() > 0.25 ? 1 : 0;
      }
      alarms += counts.scorePsi() > 0.25 ? 1 : 0;
    }
    System.out.printf("drift over %d unshifted seeds: %d alarms of %d indices, worst PSI %.3f%n", seeds, alarms,
        seeds * (bundle.manifest().features().size() + 1), worst);
    assertEquals(0, alarms, "a feature flagged as shifted on data drawn like the training data");
  }

  @Test
  void amountsThreeTimesLargerForAShareOfUsersAreFlaggedOnTheAmountFeatures() {
    List<Transaction> live = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(USERS, DAYS, 42));
    List<Transaction> shifted = new ArrayList<>();
    for (Transaction tx : live) {
      boolean moved = Math.floorMod(tx.user().hashCode(), 10) < 4;
      shifted.add(moved ? new Transaction(tx.id(), tx.timestamp(), tx.user(), tx.amount() * 3, tx.currency(), tx.merchant(), tx.category(),
          tx.channel(), tx.counterparty(), tx.device(), tx.ip(), tx.country(), tx.lat(), tx.lon(), tx.label(), tx.challenge()) : tx);
    }
    Map<String, Double> drifts = new TreeMap<>();
    DriftCounts counts = measure(shifted, 0);
    counts.mostDrifted(3).forEach(drift -> drifts.put(drift.feature(), drift.psi()));
    System.out.println("amounts x3 for 40 % of users, most drifted: " + drifts);
    assertTrue(drifts.keySet().stream().allMatch(name -> name.startsWith("amount")), drifts.toString());
    assertTrue(counts.featurePsi(bundle.manifest().features().indexOf("amount")) > 0.25, drifts.toString());
    assertTrue(measure(shifted, 1_000).featurePsi(bundle.manifest().features().indexOf("amount")) > 0.25,
        "flagged within the first 1,000 payments");
  }

  @Test
  void aNewDeviceFormatForEveryoneIsFlaggedOnTheDeviceFeatures() {
    List<Transaction> live = new ArrayList<>(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(USERS, DAYS, 43)));
    live.sort(Comparator.comparing(Transaction::timestamp));
    Instant switched = live.get(live.size() / 2).timestamp();
    List<Transaction> reformatted = new ArrayList<>();
    for (Transaction tx : live) {
      // Half-way through, the app starts sending devices in a new format: every device looks new once.
      reformatted.add(tx.timestamp().isBefore(switched) || tx.device() == null ? tx : tx.toBuilder().device("v2:" + tx.device()).build());
    }
    DriftCounts counts = measure(reformatted, 0);
    List<String> top = counts.mostDrifted(3).stream().map(DriftCounts.Drift::feature).toList();
    System.out.println("a new device format, most drifted: " + counts.mostDrifted(3));
    assertTrue(top.stream().anyMatch(name -> name.contains("device")), top.toString());
  }

  /** The drift of {@code live} replayed, over its first {@code limit} payments (0: all). */
  private DriftCounts measure(List<Transaction> live, int limit) {
    List<FeatureRow> rows = OfflineReplay.replay(live, SECRET);
    DriftCounts counts = new DriftCounts(bundle);
    ModelScorer scorer = new ModelScorer(bundle);
    for (FeatureRow row : limit == 0 ? rows : rows.subList(0, Math.min(limit, rows.size()))) {
      counts.add(row.features(), scorer.probability(row.features()));
    }
    return counts;
  }
}
