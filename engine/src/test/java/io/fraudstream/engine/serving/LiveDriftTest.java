package io.fraudstream.engine.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.TestModels;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.DriftCounts;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's live drift: counted per decision, served as gauges, windowed by decision time, restarted with a new model. */
class LiveDriftTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static List<FeatureRow> rows(boolean tripled) {
    List<Transaction> live = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(800, 30, 7));
    if (tripled) {
      live = live.stream().map(tx -> new Transaction(tx.id(), tx.timestamp(), tx.user(), tx.amount() * 3, tx.currency(), tx.merchant(),
          tx.category(), tx.channel(), tx.counterparty(), tx.device(), tx.ip(), tx.country(), tx.lat(), tx.lon(), tx.label(),
          tx.challenge())).toList();
    }
    return OfflineReplay.replay(live, TestModels.SECRET);
  }

  private static double gauge(EngineMetrics metrics, String name, String feature, String window) {
    var search = metrics.registry().find(name).tag("window", window);
    return (feature == null ? search : search.tag("feature", feature)).gauge().value();
  }

  /** The last {@code count} rows' decisions, made now: a stream that has run for a while, as the model's held-out window had. */
  private static EngineMetrics fed(List<FeatureRow> rows, int count) {
    EngineMetrics metrics = EngineMetrics.inMemory();
    ModelScorer scorer = new ModelScorer(TestModels.bundle());
    for (int i = rows.size() - count; i < rows.size(); i++) {
      FeatureRow row = rows.get(i);
      metrics.drift(TestModels.bundle(), row.features(), scorer.probability(row.features()), Instant.now());
    }
    return metrics;
  }

  @Test
  void servesTheDriftOfEachFeatureAndOfTheScoreOnceAWindowHoldsEnoughPayments() {
    List<FeatureRow> steady = rows(false);
    EngineMetrics few = fed(steady, 100);
    assertTrue(Double.isNaN(gauge(few, "fraudstream.feature.drift", "amount", "1h")), "below 500 payments the index is not given");
    EngineMetrics metrics = fed(steady, 3_000);
    double steadyAmount = gauge(metrics, "fraudstream.feature.drift", "amount", "1h");
    assertTrue(steadyAmount < 0.1, "amounts drawn like the training ones: PSI " + steadyAmount);
    double steadyScore = gauge(metrics, "fraudstream.score.drift", null, "1d");
    assertTrue(steadyScore < 0.25, "scores of users like the training ones: PSI " + steadyScore);
    EngineMetrics shifted = fed(rows(true), 3_000);
    double amount = gauge(shifted, "fraudstream.feature.drift", "amount", "1h");
    assertTrue(amount > 0.25, "amounts three times larger: PSI " + amount);
    assertEquals(amount, gauge(shifted, "fraudstream.feature.drift", "amount", "1d"), 1e-12, "the day holds the same payments");
  }

  @Test
  void aWindowForgetsPaymentsOlderThanItAndANewModelStartsAfresh() {
    LiveDrift drift = new LiveDrift();
    List<FeatureRow> rows = rows(false);
    for (int i = 0; i < 600; i++) {
      drift.record(TestModels.bundle(), rows.get(i).features(), 0.1, T0.plusSeconds(i));
    }
    assertEquals(600, drift.counts(LiveDrift.Window.HOUR, T0.plusSeconds(600)).payments());
    assertEquals(0, drift.counts(LiveDrift.Window.HOUR, T0.plusSeconds(7_200)).payments(), "two hours later the hour is empty");
    assertEquals(600, drift.counts(LiveDrift.Window.DAY, T0.plusSeconds(7_200)).payments(), "and the day still holds them");
    drift.record(TestModels.other(), rows.get(0).features(), 0.1, T0.plusSeconds(7_201));
    DriftCounts afterReload = drift.counts(LiveDrift.Window.DAY, T0.plusSeconds(7_202));
    assertEquals(1, afterReload.payments(), "a new model's drift is measured against its own training data");
    assertNull(new LiveDrift().counts(LiveDrift.Window.DAY, T0), "nothing decided, nothing to say");
  }
}
