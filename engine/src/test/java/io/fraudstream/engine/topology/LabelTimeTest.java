package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.Feature;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.streams.EntityRiskProcessor;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A label's time is its payment's, read from its value, whatever time its record carries: a
 * history's labels written today (as `replay` writes them, so that no broker's retention deletes
 * them) judge their decisions and count at their merchants, and do not age every entity by a year.
 */
class LabelTimeTest {

  private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
  private DrivenEngine engine;

  @BeforeEach
  void start() {
    engine = new DrivenEngine("fraudstream-label-time-test", new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24)),
        ChallengePolicy.defaults());
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  @Test
  void shouldAgeALabelByItsPaymentsTimeNotByItsRecordsTime() {
    Transaction fraud = pay("p1", "u1", Duration.ZERO);
    pay("p2", "u2", Duration.ofHours(1));
    Instant writtenNow = T0.plus(Duration.ofDays(400));
    engine.input(engine.topics.labels()).pipeInput(fraud.id(),
        new PaymentLabel(fraud.id(), true, fraud.merchant(), null, fraud.timestamp()).toJson(), writtenNow);
    engine.driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);

    double judgedFrauds = 0;
    for (Tier tier : Tier.values()) {
      judgedFrauds += engine.metrics.registry().get("fraudstream.labelled.decisions").tag("tier", tier.name()).tag("label", "fraud")
          .gauge().value();
    }
    assertEquals(1.0, judgedFrauds, "the label judged its payment's decision");
    engine.decisions.readValuesToList();
    pay("p3", "u3", Duration.ofDays(8));
    Decision later = engine.decisions.readValuesToList().get(0);
    assertEquals(1.0, later.features().get(Feature.MERCHANT_FRAUDS_30D.featureName()), "the fraud counts at its merchant, past the label delay");
    assertEquals(3.0, later.features().get(Feature.MERCHANT_TX_COUNT_30D.featureName()), "the merchant was not forgotten");
  }

  private Transaction pay(String id, String user, Duration after) {
    Transaction tx = Transaction.of(id, T0.plus(after), user, 25).toBuilder().merchant("m1").build();
    engine.payments.pipeInput(user, TransactionJson.write(tx), tx.timestamp());
    engine.driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
    return tx;
  }
}
