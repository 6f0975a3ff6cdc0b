package io.fraudstream.engine.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Feature;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases derived from flagged decisions and case records, a user's timeline, and the rings of shared tokens. */
class CasesTest {

  private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

  private static Decision decision(String id, String user, Tier tier, int minute, String device) {
    Instant at = T0.plusSeconds(60L * minute);
    return Decision.builder().paymentId(id).user(user).timestamp(at).decidedAt(at).amount(10 * minute).currency("EUR").merchant("m1")
        .device(device).tier(tier).score(tier == Tier.BLOCK ? 0.9 : 0.4).reasons(List.of("reason of " + id))
        .features(Map.of("amount", 10.0 * minute, "tx_count_1h", (double) minute)).modelVersion("m1").build();
  }

  private static List<String> ids(ConsoleView view) {
    return view.cases().stream().map(c -> c.record().id()).sorted().toList();
  }

  @Test
  void aBlockOpensACaseAndTheUsersNextFlaggedPaymentsJoinIt() {
    ConsoleView view = new ConsoleView(100, 100);
    view.decision(decision("p1", "u1", Tier.ALLOW, 1, "d1"));
    view.decision(decision("p2", "u1", Tier.BLOCK, 2, "d1"));
    view.decision(decision("p3", "u1", Tier.CHALLENGE, 3, "d1"));
    view.decision(decision("p4", "u2", Tier.CHALLENGE, 4, "d2"));
    assertEquals(List.of("u1/p2", "u2/p4"), ids(view));
    CaseBook.Case u1 = view.caseOf("u1/p2");
    assertEquals(List.of("p3", "p2"), u1.flagged().stream().map(f -> f.decision().paymentId()).toList());
    assertEquals(Tier.BLOCK, u1.worstTier());
    assertEquals(0.9, u1.worstScore());
    assertEquals(CaseRecord.Status.OPEN, u1.record().status());
  }

  @Test
  void aClosedCaseTakesNoLaterPaymentAndTheNextOneOpensAnother() {
    ConsoleView view = new ConsoleView(100, 100);
    view.decision(decision("p1", "u1", Tier.BLOCK, 1, "d1"));
    CaseRecord opened = view.caseOf("u1/p1").record();
    CaseRecord closed = opened.changed(CaseRecord.Status.CLOSED_FRAUD, "alice", null, List.of("p1"), "alice", T0.plusSeconds(90));
    view.caseRecord(closed);
    view.decision(decision("p2", "u1", Tier.CHALLENGE, 2, "d1"));
    view.decision(decision("p3", "u1", Tier.BLOCK, 3, "d1"));
    assertEquals(List.of("u1/p1", "u1/p2"), ids(view));
    assertEquals(List.of("p3", "p2"), view.caseOf("u1/p2").flagged().stream().map(f -> f.decision().paymentId()).toList());
    assertEquals(List.of("p1"), view.caseOf("u1/p1").paymentIds());
    // An older version read late (another console, a replay of the topic) changes nothing.
    view.caseRecord(opened.changed(CaseRecord.Status.INVESTIGATING, "bob", null, List.of(), "bob", T0.plusSeconds(80)));
    assertEquals(CaseRecord.Status.INVESTIGATING, view.caseOf("u1/p1").record().status(), "same version: the later write wins");
    view.caseRecord(closed);
    view.caseRecord(opened);
    assertEquals(CaseRecord.Status.CLOSED_FRAUD, view.caseOf("u1/p1").record().status(), "version 0 after version 1 is ignored");
  }

  @Test
  void aRecordedCaseKeepsItsIdAfterItsFirstDecisionLeftTheQueue() {
    ConsoleView view = new ConsoleView(2, 100);
    view.decision(decision("p1", "u1", Tier.BLOCK, 1, "d1"));
    view.caseRecord(view.caseOf("u1/p1").record().changed(CaseRecord.Status.INVESTIGATING, "alice", null, List.of("p1"), "alice", T0));
    view.decision(decision("p2", "u2", Tier.BLOCK, 2, "d2"));
    view.decision(decision("p3", "u3", Tier.BLOCK, 3, "d3"));
    view.decision(decision("p4", "u1", Tier.CHALLENGE, 4, "d1"));
    assertEquals(List.of("p4"), view.caseOf("u1/p1").flagged().stream().map(f -> f.decision().paymentId()).toList(),
        "p1 left the queue of two; p4 still joins the case it opened");
    assertEquals(List.of("p1", "p4"), view.caseOf("u1/p1").paymentIds());
  }

  @Test
  void caseRecordsRoundTripAndHostileOnesAreRefused() {
    CaseRecord record = CaseRecord.opened("u1/p1", "u1", T0).changed(CaseRecord.Status.INVESTIGATING, "alice",
        new CaseRecord.Comment("alice", T0, "<script>alert(1)</script> \"quoted\""), List.of("p1", "p2"), "alice", T0.plusSeconds(5));
    assertEquals(record, CaseRecord.parse("u1/p1", record.toJson()));
    byte[] json = record.toJson();
    assertThrows(IllegalArgumentException.class, () -> CaseRecord.parse("u2/p1", json), "a key that is not its id");
    for (String hostile : List.of("not json", "[]", "{}", "null",
        "{\"id\":\"u1/p1\",\"user\":\"u1\",\"openedAt\":\"2026-12-01T12:00:00Z\",\"status\":\"deleted\",\"version\":1,\"updatedAt\":\"2026-12-01T12:00:00Z\"}",
        "{\"id\":\"u1/p1\",\"user\":\"u1\",\"openedAt\":\"yesterday\",\"status\":\"open\",\"version\":1,\"updatedAt\":\"2026-12-01T12:00:00Z\"}",
        "{\"id\":\"u1/p1\",\"user\":\"u1\",\"openedAt\":\"2026-12-01T12:00:00Z\",\"status\":\"open\",\"version\":-1,\"updatedAt\":\"2026-12-01T12:00:00Z\"}",
        "{\"id\":\"u1/p1\",\"user\":\"u1\",\"openedAt\":\"2026-12-01T12:00:00Z\",\"status\":\"open\",\"version\":1,\"updatedAt\":\"2026-12-01T12:00:00Z\","
            + "\"comments\":[{\"by\":\"x\",\"at\":\"2026-12-01T12:00:00Z\",\"text\":\"" + "a".repeat(2_001) + "\"}]}")) {
      assertThrows(IllegalArgumentException.class, () -> CaseRecord.parse("u1/p1", hostile.getBytes(StandardCharsets.UTF_8)), hostile);
    }
  }

  @Test
  void aTimelineHoldsDecisionsChallengesBlocksAndLabelsInTimeOrderWithWhatMoved() {
    ConsoleView view = new ConsoleView(100, 100);
    view.decision(decision("p1", "u1", Tier.ALLOW, 1, "d1"));
    view.decision(decision("p2", "u1", Tier.CHALLENGE, 5, "d1"));
    view.challengeResult("u1", new ChallengeResult("p2", ChallengeResult.Outcome.FAILED, "otp", T0.plusSeconds(330)));
    view.decision(decision("p3", "u1", Tier.BLOCK, 8, "d1"));
    view.block("user:u1", new Block("user:u1", "user", "p3", "blocked by the model", T0.plusSeconds(480), T0.plusSeconds(3600)),
        T0.plusSeconds(481));
    view.label("p3", true, T0.plusSeconds(600));
    view.block("user:u1", null, T0.plusSeconds(700));
    List<Timelines.Event> events = view.timeline("u1");
    assertEquals(List.of("decision", "decision", "challenge", "decision", "block", "label", "unblock"),
        events.stream().map(Timelines.Event::kind).toList());
    assertEquals(List.of("amount 10 → 50", "tx_count_1h 1 → 5"), events.get(1).movedWords().stream().sorted().toList());
    assertTrue(events.get(2).text().contains("failed (otp)"), events.get(2).text());
    assertEquals("labelled fraud", events.get(5).text());
    assertEquals("CHALLENGE 50.00 EUR at m1: reason of p2", events.get(1).text());
  }

  @Test
  void aTimelineShowsTheThreeFeaturesThatMovedMostLargestFirst() {
    Timelines timelines = new Timelines();
    double[] before = new double[Feature.count()];
    double[] after = new double[Feature.count()];
    Arrays.fill(before, 1);
    Arrays.fill(after, 1);
    after[Feature.all().indexOf(Feature.AMOUNT)] = 3;
    after[Feature.all().indexOf(Feature.TX_COUNT_1H)] = 9;
    after[Feature.all().indexOf(Feature.TX_COUNT_24H)] = 5;
    after[Feature.all().indexOf(Feature.TX_COUNT_1M)] = 2;
    timelines.decision(decision("p1", "u1", Tier.ALLOW, 1, "d1"), before);
    timelines.decision(decision("p2", "u1", Tier.ALLOW, 2, "d1"), after);
    assertEquals(List.of("tx_count_1h 1 → 9", "tx_count_24h 1 → 5", "amount 1 → 3"), timelines.of("u1").get(1).movedWords());
    assertEquals(List.of(), timelines.of("u1").get(0).movedWords(), "nothing moved before the first decision");
  }

  @Test
  void aRingOfUsersSharingADeviceIsTheSameFromAnyOfThem() {
    ConsoleView view = new ConsoleView(100, 100);
    view.decision(decision("a1", "ua", Tier.BLOCK, 1, "hmac:shared"));
    view.decision(decision("b1", "ub", Tier.CHALLENGE, 2, "hmac:shared"));
    view.decision(decision("c1", "uc", Tier.ALLOW, 3, "hmac:shared"));
    view.decision(decision("c2", "uc", Tier.ALLOW, 4, "hmac:other"));
    view.decision(decision("d1", "ud", Tier.ALLOW, 5, "hmac:other"));
    view.decision(decision("e1", "ue", Tier.ALLOW, 6, "hmac:alone"));
    view.label("a1", true);
    for (String from : List.of("ua", "ub", "uc")) {
      ConsoleView.RingView ring = view.ring(from);
      assertEquals(List.of("ua", "ub", "uc", "ud"), ring.ring().users().stream().sorted().toList(), "from " + from);
      assertEquals(Map.of("ua", 1), ring.fraudLabels());
      assertEquals(Tier.BLOCK, ring.worstTier().get("ua"));
    }
    assertEquals(List.of("ue"), view.ring("ue").ring().users(), "a device nobody shares links no one");
  }

  @Test
  void csvCellsAreQuotedAndNeverAFormula() {
    assertEquals("\"'=HYPERLINK(\"\"x\"\")\"", CaseRoutes.csvCell("=HYPERLINK(\"x\")"));
    assertEquals("\"'-2+3\"", CaseRoutes.csvCell("-2+3"));
    assertEquals("\"a, b\"", CaseRoutes.csvCell("a, b"));
    assertNotNull(CaseRoutes.csvCell(null));
  }
}
