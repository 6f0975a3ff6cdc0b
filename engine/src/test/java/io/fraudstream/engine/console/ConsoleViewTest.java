package io.fraudstream.engine.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.Feature;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleViewTest {

  private static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");
  private static final String AMOUNT = Feature.byName("amount").featureName();

  private static Decision decision(String id, String user, Tier tier, double amount, int minute) {
    return Decision.builder().paymentId(id).user(user).timestamp(T0.plusSeconds(60L * minute)).amount(amount).tier(tier)
        .reasons(List.of("reason of " + id)).features(Map.of(AMOUNT, amount)).modelVersion("m1").decidedAt(Instant.now()).build();
  }

  @Test
  void holdsOnlyTheNewestFlaggedDecisionsUpToItsCapacity() {
    ConsoleView view = new ConsoleView(2, 10);
    view.decision(decision("p1", "u1", Tier.BLOCK, 10, 1));
    view.decision(decision("p2", "u1", Tier.ALLOW, 10, 2));
    view.decision(decision("p3", "u2", Tier.CHALLENGE, 10, 3));
    view.decision(decision("p4", "u2", Tier.BLOCK, 10, 4));
    assertEquals(List.of("p4", "p3"), view.queue(ConsoleView.Filter.none(), 10).stream().map(f -> f.decision().paymentId()).toList());
    assertNull(view.payment("p1"), "the oldest left the queue");
    assertEquals(Map.of(Tier.CHALLENGE, 1L, Tier.BLOCK, 1L), view.countsWithin(Duration.ofHours(1), Instant.now()));
    view.decision(decision("p4", "u2", Tier.BLOCK, 10, 4));
    assertEquals(2, view.size(), "a decision read twice is held once");
  }

  @Test
  void givesTheUsersMeanBeforeTheFlaggedPayment() {
    ConsoleView view = new ConsoleView(10, 10);
    view.decision(decision("p1", "u1", Tier.ALLOW, 10, 1));
    view.decision(decision("p2", "u1", Tier.ALLOW, 30, 2));
    view.decision(decision("p3", "u1", Tier.BLOCK, 500, 3));
    view.decision(decision("p4", "u9", Tier.CHALLENGE, 5, 4));
    ConsoleView.Flagged flagged = view.payment("p3");
    assertEquals(2, flagged.usualOver());
    assertEquals(20.0, flagged.usual()[Feature.all().indexOf(Feature.byName("amount"))], 1e-4);
    assertNull(view.payment("p4").usual(), "a user's first payment has no usual values");
  }

  @Test
  void filtersAndCountsUnreadableDecisions() {
    ConsoleView view = new ConsoleView(10, 10);
    view.decision(decision("p1", "u1", Tier.BLOCK, 10, 1));
    view.decision(decision("p2", "u2", Tier.CHALLENGE, 10, 2));
    view.decision(Decision.builder().paymentId("broken").build());
    assertEquals(1, view.unreadableCount());
    ConsoleView.Filter blocks = new ConsoleView.Filter(Tier.BLOCK, null, null, null, null, null, 0);
    assertEquals(List.of("p1"), view.queue(blocks, 10).stream().map(f -> f.decision().paymentId()).toList());
    ConsoleView.Filter byReason = new ConsoleView.Filter(null, "REASON OF P2", null, null, null, null, 0);
    assertEquals(List.of("p2"), view.queue(byReason, 10).stream().map(f -> f.decision().paymentId()).toList());
    ConsoleView.Filter later = new ConsoleView.Filter(null, null, null, T0.plusSeconds(90), null, null, 0);
    assertEquals(List.of("p2"), view.queue(later, 10).stream().map(f -> f.decision().paymentId()).toList());
    assertEquals(0, view.queue(new ConsoleView.Filter(null, null, null, null, null, null, 2), 10).size());
    assertThrows(IllegalArgumentException.class, () -> new ConsoleView(0, 1));
  }

  @Test
  void chartsTheMinutesAndJudgesLabelsAsTheEngineDoes() {
    ConsoleView view = new ConsoleView(10, 10);
    Instant now = Instant.parse("2026-12-02T10:00:30Z");
    for (int i = 0; i < 100; i++) {
      Tier tier = i < 2 ? Tier.BLOCK : i < 3 ? Tier.CHALLENGE : Tier.ALLOW;
      view.decision(Decision.builder().paymentId("p" + i).user("u" + i).timestamp(T0).tier(tier).reasons(List.of()).features(Map.of())
          .extractionMicros(i < 98 ? 8 : 9_000).scoringMicros(2).decidedAt(now).modelVersion("m1").build());
    }
    view.deadLetter(now.minusSeconds(60));
    view.deadLetter(now.minus(Duration.ofHours(3)));
    Health.Series series = view.health(now);
    int last = Health.MINUTES - 1;
    assertEquals(97, series.perTier()[Tier.ALLOW.ordinal()][last]);
    assertEquals(2, series.perTier()[Tier.BLOCK.ordinal()][last]);
    assertEquals(1, series.deadLetters()[last - 1], "the minute before");
    assertEquals(2, series.deadLettersRead(), "the one older than the window is read but not charted");
    assertEquals(1, Arrays.stream(series.deadLetters()).sum());
    assertTrue(series.p50Micros()[last] >= 10 && series.p50Micros()[last] <= 12.5, "p50 " + series.p50Micros()[last]);
    assertTrue(series.p99Micros()[last] >= 9_002 && series.p99Micros()[last] <= 9_002 * 1.25, "p99 " + series.p99Micros()[last]);
    assertTrue(Double.isNaN(series.p50Micros()[0]), "a minute without decisions has no latency");
    assertEquals(List.of(new ConsoleView.ModelSeen("m1", 100, now)), view.models());

    // Frauds: p0 (BLOCK), p2 (CHALLENGE), p50 (ALLOW); legitimate: p1 (BLOCK).
    view.label("p0", true);
    view.label("p1", false);
    view.label("p2", true);
    view.label("p50", true);
    Map<String, Map<Tier, Double>> live = view.livePrecisionAndRecall();
    assertEquals(0.5, live.get("precision").get(Tier.BLOCK), 1e-12);
    assertEquals(1.0, live.get("precision").get(Tier.CHALLENGE), 1e-12);
    assertEquals(1.0 / 3, live.get("recall").get(Tier.BLOCK), 1e-12);
    assertEquals(2.0 / 3, live.get("recall").get(Tier.CHALLENGE), 1e-12, "CHALLENGE or stricter");

    view.sample(now);
    view.label("p1", true);
    view.sample(now.plusSeconds(1));
    double[][] charted = view.health(now).live();
    assertEquals(0.5, charted[Health.LIVE.indexOf("precisionBlock")][last], 1e-12, "a sample within 5 s of the last is not taken");
    view.sample(now.plusSeconds(6));
    charted = view.health(now).live();
    assertEquals(1.0, charted[Health.LIVE.indexOf("precisionBlock")][last], 1e-12);
    assertEquals(0.5, charted[Health.LIVE.indexOf("recallBlock")][last], 1e-12);
    assertTrue(Double.isNaN(charted[0][last - 1]), "no sample, no point");
  }

  @Test
  void blocksLastInThePaymentsTimeAndATombstoneLiftsThem() {
    ConsoleView view = new ConsoleView(10, 10);
    view.decision(decision("p1", "u1", Tier.BLOCK, 10, 0));
    view.block("user:u1", new Block("user:u1", "user", "p1", "score", T0, T0.plus(Duration.ofHours(24))));
    Instant now = view.streamTime(Instant.now());
    assertEquals(T0, now);
    assertNotNull(view.blockOn("user:u1", now), "in force in the payments' time, though long expired by the wall clock");
    assertEquals(1, view.blocksInForce(now).size());
    assertNull(view.blockOn("user:u1", T0.plus(Duration.ofHours(25))));
    view.block("user:u1", null);
    assertNull(view.blockOn("user:u1", now));
  }
}
