package io.fraudstream.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesTest {

  private static final IdentifierHasher HASHER = new IdentifierHasher(TestModels.SECRET);
  private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");

  private static Rules rules(String text) {
    return Rules.parse("rules.txt", text, HASHER);
  }

  /** A quiet payment, already pseudonymised as the decision sees it, with a few features set. */
  private static FeaturedTransaction payment(String user, String device, String merchant, double amount, Object... featureValues) {
    double[] values = new double[Feature.count()];
    values[Feature.AMOUNT.ordinal()] = amount;
    values[Feature.HOUR_SHARE.ordinal()] = 1;
    values[Feature.DAY_OF_WEEK_SHARE.ordinal()] = 1;
    values[Feature.AMOUNT_MAX.ordinal()] = 1_000_000;
    for (int i = 0; i < featureValues.length; i += 2) {
      values[((Feature) featureValues[i]).ordinal()] = ((Number) featureValues[i + 1]).doubleValue();
    }
    Transaction tx = HASHER.pseudonymise(Transaction.of("p-" + user + amount, T0, user, amount).toBuilder()
        .merchant(merchant).device(device).country("FR").build());
    return new FeaturedTransaction(tx, new FeatureVector(values), 0);
  }

  @Test
  void shouldEvaluateConditionsWithAndBindingTighterThanOr() {
    Rules rules = rules("""
        # bursts from a new device, or very large first payments
        when tx_count_1m > 10 and new_device or amount >= 5_000 and first_payment then challenge "burst or large first payment"
        when not (night or weekend) and amount > amount_max then challenge "new largest amount in working hours"
        """);
    assertEquals(1, hits(rules, payment("u", "d", "m", 5, Feature.TX_COUNT_1M, 11, Feature.NEW_DEVICE, 1)).size());
    assertEquals(0, hits(rules, payment("u", "d", "m", 5, Feature.TX_COUNT_1M, 11)).size());
    assertEquals(1, hits(rules, payment("u", "d", "m", 5000, Feature.FIRST_PAYMENT, 1, Feature.AMOUNT_MAX, 9000)).size());
    assertEquals(0, hits(rules, payment("u", "d", "m", 5000, Feature.AMOUNT_MAX, 9000)).size());
    List<Rules.Hit> second = hits(rules, payment("u", "d", "m", 80, Feature.AMOUNT_MAX, 50));
    assertEquals(List.of(new Rules.Hit(3, Tier.CHALLENGE, "new largest amount in working hours")), second);
    assertEquals(0, hits(rules, payment("u", "d", "m", 80, Feature.AMOUNT_MAX, 50, Feature.NIGHT, 1)).size());
  }

  private static List<Rules.Hit> hits(Rules rules, FeaturedTransaction featured) {
    return rules.judge(featured.transaction(), featured.features()).ruleHits();
  }

  @Test
  void shouldRankBlocksThenLimitsThenAllowListThenModelAndRules() {
    Rules rules = rules("""
        allow user trusted-1
        block device stolen-phone reason "reported stolen on 2024-02-28"
        block country XX
        limit amount 10000
        limit tx_count_1m 20 challenge
        when amount > 500 and new_merchant then block "large payment to a new merchant"
        """);
    DecisionPolicy policy = new DecisionPolicy(TestModels.bundle(), rules, Duration.ofHours(24));

    Decision stolen = policy.decide(payment("trusted-1", "stolen-phone", "m", 5), T0);
    assertEquals(Tier.BLOCK, stolen.tier());
    assertEquals("the device is on the block list: reported stolen on 2024-02-28", stolen.reasons().get(0));
    assertFalse(stolen.placesBlock(), "a listed device blocks the payment, not the user");

    Decision overLimit = policy.decide(payment("trusted-1", "phone", "m", 12_000), T0);
    assertEquals(Tier.BLOCK, overLimit.tier(), "a hard limit holds even for the allow list");
    assertEquals("amount 12000 over the limit of 10000", overLimit.reasons().get(0));

    Decision trusted = policy.decide(payment("trusted-1", "phone", "new-shop", 900, Feature.NEW_MERCHANT, 1), T0);
    assertEquals(Tier.ALLOW, trusted.tier(), trusted.reasons().toString());
    assertEquals("the user is on the allow list", trusted.reasons().get(0));

    Decision ruled = policy.decide(payment("bob", "phone", "new-shop", 900, Feature.NEW_MERCHANT, 1, Feature.TX_COUNT_1M, 25), T0);
    assertEquals(Tier.BLOCK, ruled.tier());
    assertEquals(List.of("large payment to a new merchant", "tx_count_1m 25 over the limit of 20"), ruled.reasons().subList(0, 2),
        "the strictest rule first");
    assertTrue(ruled.placesBlock());
    assertEquals(rules.version(), ruled.rulesVersion());

    Decision fromCountry = policy.decide(payment("bob", "phone", "m", 5), T0);
    assertEquals(Tier.ALLOW, fromCountry.tier(), "FR is not listed");
    Rules countries = rules("block country FR");
    policy.useRules(countries);
    assertEquals(Tier.BLOCK, policy.decide(payment("bob", "phone", "m", 5), T0).tier(), "countries are listed by name and matched by token");
  }

  @Test
  void shouldRefuseABadFileNamingEveryBadLine() {
    RulesException error = assertThrows(RulesException.class, () -> rules("""
        allow user ok
        when velocity_count_1m > 10 and new_device then block "burst"
        limit amount lots
        when amount > 10 then allow "fine"
        block planet mars
        when (amount > 10 then block "x"
        when amount > 10 then block
        when amount = 10 then block "x"
        """));
    String message = error.getMessage();
    assertTrue(message.contains("rules.txt line 2: unknown feature 'velocity_count_1m' (did you mean tx_count_1m?)"), message);
    assertTrue(message.contains("rules.txt line 3: the limit must be a number, got 'lots'"), message);
    assertTrue(message.contains("rules.txt line 4: a rule can only raise the tier"), message);
    assertTrue(message.contains("rules.txt line 5: cannot list 'planet'"), message);
    assertTrue(message.contains("rules.txt line 6: missing ')'"), message);
    assertTrue(message.contains("rules.txt line 7: expected the reason in double quotes"), message);
    assertTrue(message.contains("rules.txt line 8: '=' at column 13 is not an operator; use == or !="), message);
    assertFalse(message.contains("line 1:"), message);
    assertEquals(7, message.lines().count());
  }

  @Test
  void shouldVersionRulesByTheirText() {
    assertEquals(rules("limit amount 100").version(), rules("limit amount 100").version());
    assertNotEquals(rules("limit amount 100").version(), rules("limit amount 101").version());
    assertEquals("none", Rules.none().version());
  }
}
