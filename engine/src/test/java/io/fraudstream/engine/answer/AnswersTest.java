package io.fraudstream.engine.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AnswersTest {

  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
  private final EngineMetrics metrics = EngineMetrics.inMemory();

  private Answers answers(Duration remembered, int capacity) {
    return new Answers(remembered, capacity, metrics, decision -> new Answer(decision.paymentId(), decision.tier(), decision.score(),
        decision.reasons(), false, null, null, "m", "r", decision.decidedAt()));
  }

  private static Decision decision(String id, Tier tier, double score) {
    return Decision.builder().paymentId(id).user("u1").timestamp(AT).amount(10).tier(tier).score(score).modelTier(tier)
        .reasons(List.of("why")).modelVersion("m").rulesVersion("r").decidedAt(AT).build();
  }

  private double count(String name) {
    return metrics.registry().find(name).counters().stream().mapToDouble(counter -> counter.count()).sum();
  }

  @Test
  void aRetryJoinsTheFirstAskAndAnotherPaymentUnderItsIdIsAConflict() throws Exception {
    Answers answers = answers(Duration.ofMinutes(10), 100);
    Answers.Ask first = answers.ask(Transaction.of("p1", AT, "u1", 10), 0);
    Answers.Ask retry = answers.ask(Transaction.of("p1", AT, "u1", 10), 1);
    assertTrue(first.first());
    assertFalse(retry.first(), "a retry writes nothing");
    assertSame(first.asked(), retry.asked());
    assertThrows(Answers.Conflict.class, () -> answers.ask(Transaction.of("p1", AT, "u1", 11), 2));
  }

  @Test
  void theFirstDecisionAnswersAndTheCommittedOneSettlesIt() throws Exception {
    Answers answers = answers(Duration.ofMinutes(10), 100);
    Answers.Asked asked = answers.ask(Transaction.of("p1", AT, "u1", 10), 0).asked();
    answers.decided(decision("p1", Tier.CHALLENGE, 0.4));
    answers.decided(decision("p1", Tier.ALLOW, 0.1));
    Answer given = asked.decision().get(1, TimeUnit.SECONDS);
    assertEquals(Tier.CHALLENGE, given.tier(), "the first decision to arrive wins");
    asked.answered(given);
    answers.committed(decision("p1", Tier.ALLOW, 0.1));
    assertEquals(1, count("fraudstream.answers.superseded"));
    answers.committed(decision("p1", Tier.ALLOW, 0.1));
    assertEquals(1, count("fraudstream.answers.superseded"), "settled once");

    Answers.Asked other = answers.ask(Transaction.of("p2", AT, "u1", 10), 0).asked();
    answers.decided(decision("p2", Tier.ALLOW, 0.2));
    other.answered(other.decision().get(1, TimeUnit.SECONDS));
    answers.committed(decision("p2", Tier.ALLOW, 0.2));
    assertEquals(1, count("fraudstream.answers.confirmed"));
  }

  /** Under load the committed decision is often read before the thread that sent the answer has noted it. */
  @Test
  void anAnswerNotedAfterItsCommittedDecisionWasReadStillSettles() throws Exception {
    Answers answers = answers(Duration.ofMinutes(10), 100);
    Answers.Asked asked = answers.ask(Transaction.of("p3", AT, "u1", 10), 0).asked();
    answers.decided(decision("p3", Tier.ALLOW, 0.2));
    Answer given = asked.decision().get(1, TimeUnit.SECONDS);
    answers.committed(decision("p3", Tier.ALLOW, 0.2));
    assertEquals(0, count("fraudstream.answers.confirmed"), "nothing answered yet to settle");
    asked.answered(given);
    assertEquals(1, count("fraudstream.answers.confirmed"));
    asked.answered(given);
    assertEquals(1, count("fraudstream.answers.confirmed"), "settled once");
  }

  @Test
  void forgetsIdsAfterTheirTimeAndBeyondTheCapacity() throws Exception {
    Answers answers = answers(Duration.ofSeconds(1), 3);
    long second = TimeUnit.SECONDS.toNanos(1);
    answers.ask(Transaction.of("old", AT, "u1", 10), 0);
    answers.ask(Transaction.of("new", AT, "u1", 10), 2 * second);
    assertFalse(answers.asked("old"), "forgotten after a second");
    assertTrue(answers.asked("new"));
    for (int i = 0; i < 5; i++) {
      answers.ask(Transaction.of("p" + i, AT, "u1", 10), 2 * second + i);
    }
    assertEquals(3, answers.size(), "never more than the capacity");
    assertTrue(answers.asked("p4"));
    assertFalse(answers.asked("new"), "the oldest go first");
  }

  @Test
  void aPaymentThatCouldNotBeWrittenIsForgottenSoThatARetryWritesIt() throws Exception {
    Answers answers = answers(Duration.ofMinutes(10), 100);
    Answers.Ask first = answers.ask(Transaction.of("p1", AT, "u1", 10), 0);
    answers.forget("p1", first.asked());
    assertTrue(answers.ask(Transaction.of("p1", AT, "u1", 10), 1).first());
  }
}
