package io.fraudstream.engine.backtest;

import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.decision.ServingModel;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.DailyTally;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.KindRecall;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.TierCounts;
import io.fraudstream.models.data.FraudKinds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a model and rules files over replayed history, as the engine would decide each payment,
 * and counts what the whole policy and each statement of each file did: what an analyst wants
 * to know before a rule change goes live.
 *
 * <p>Each payment is judged on its own. A BLOCK here does not block the user's later payments,
 * as it would live, so that a rule is measured by the payments it fires on and not by those a
 * block it placed would have stopped after it.
 */
public final class Backtest {

  private Backtest() {}

  /** A rules file under test, by the name the report gives it. */
  public record Policy(String name, Rules rules) {}

  /**
   * What one statement of a rules file did.
   *
   * @param matched payments the statement matched (for a {@code when} rule or a limit, its condition held; for a list, the entity was on it)
   * @param matchedFrauds the frauds among them
   * @param hits the flags it raised at its tier where the precedence let it, over the payments of the window: on an
   *     allow-listed payment only limits raise flags, on a block-listed one only the block list (an allow line raises none)
   * @param alone for a flagging statement, payments flagged that neither the model nor any other statement would have flagged;
   *     for an allow line, payments it let through that would otherwise have been flagged
   * @param aloneFrauds the frauds among {@code alone}: fraud the statement catches that nothing else does, or fraud an allow line lets through
   */
  public record StatementResult(int line, String statement, long matched, long matchedFrauds, TierCounts hits,
                                List<DailyTally.Day> days, long alone, long aloneFrauds) {}

  /** What a whole policy (the model and one rules file) did, in all, per day and per kind of fraud. */
  public record PolicyResult(String name, String rulesVersion, TierCounts total, double flaggedPerDay, List<DailyTally.Day> days,
                             List<KindRecall> kinds, List<StatementResult> statements) {}

  /** The model alone first, then each rules file with it. */
  public record Result(String modelVersion, String window, PolicyResult modelAlone, List<PolicyResult> policies) {}

  /**
   * Backtests {@code policies} on {@code rows} (in time order, from {@code OfflineReplay}).
   *
   * @param hasher the hasher the rules files were read with: devices and countries on their lists are tokens of it
   */
  public static Result run(ModelBundle bundle, List<FeatureRow> rows, IdentifierHasher hasher, List<Policy> policies,
      FraudKinds kinds, String window) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("the window " + window + " holds no payments; choose days within the data");
    }
    if (rows.stream().noneMatch(row -> row.transaction().label() != null)) {
      throw new IllegalArgumentException("the dataset has no labels: precision and recall need a label column (see docs/tune.md, \"Datasets\")");
    }
    ServingModel model = new ServingModel(bundle);
    Tally modelAlone = new Tally("model alone", Rules.none(), rows.size());
    List<Tally> tallies = new ArrayList<>();
    for (Policy policy : policies) {
      tallies.add(new Tally(policy.name(), policy.rules(), rows.size()));
    }
    for (int i = 0; i < rows.size(); i++) {
      FeatureRow row = rows.get(i);
      Transaction tx = hasher.pseudonymise(row.transaction());
      Tier modelTier = model.tierOf(model.scorer().probability(row.features()));
      modelAlone.add(i, row, modelTier, modelTier, null);
      for (Tally tally : tallies) {
        Rules.Judgement judgement = tally.rules.judge(tx, row.features());
        tally.add(i, row, DecisionPolicy.tier(modelTier, judgement), modelTier, judgement);
      }
    }
    return new Result(bundle.version(), window, modelAlone.result(rows, kinds), tallies.stream().map(t -> t.result(rows, kinds)).toList());
  }

  /** The counts of one policy as the payments go by. */
  private static final class Tally {
    private final String name;
    private final Rules rules;
    private final DailyTally total = new DailyTally();
    private final boolean[] flagged;
    private final boolean[] blocked;
    private final Map<Integer, StatementTally> statements = new LinkedHashMap<>();

    Tally(String name, Rules rules, int rows) {
      this.name = name;
      this.rules = rules;
      flagged = new boolean[rows];
      blocked = new boolean[rows];
      for (Rules.Statement statement : rules.statements()) {
        statements.put(statement.line(), new StatementTally(statement));
      }
    }

    void add(int index, FeatureRow row, Tier tier, Tier modelTier, Rules.Judgement judgement) {
      boolean fraud = row.fraud();
      flagged[index] = tier != Tier.ALLOW;
      blocked[index] = tier == Tier.BLOCK;
      total.add(row.transaction().timestamp(), fraud, flagged[index], blocked[index]);
      if (statements.isEmpty()) {
        return;
      }
      // Which statement raised which tier on this payment; a list entry flags at BLOCK, an allow line at nothing.
      Map<Integer, Tier> fired = new LinkedHashMap<>();
      if (judgement.blockListed() != null) {
        fired.put(judgement.blockListed().line(), Tier.BLOCK);
      }
      for (Rules.Hit hit : judgement.limitHits()) {
        fired.merge(hit.line(), hit.tier(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
      for (Rules.Hit hit : judgement.ruleHits()) {
        fired.merge(hit.line(), hit.tier(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
      Integer allowLine = judgement.allowListed() == null ? null : judgement.allowListed().line();
      if (allowLine != null) {
        fired.put(allowLine, Tier.ALLOW);
      }
      // The statements that set the tier, by the engine's precedence: the block list alone, or
      // the limits and (unless allow-listed) the rules.
      Set<Integer> effective = new TreeSet<>();
      if (judgement.blockListed() != null) {
        effective.add(judgement.blockListed().line());
      } else {
        judgement.limitHits().forEach(hit -> effective.add(hit.line()));
        if (allowLine == null) {
          judgement.ruleHits().forEach(hit -> effective.add(hit.line()));
        }
      }
      for (StatementTally statement : statements.values()) {
        Tier raised = fired.get(statement.line);
        boolean matched = raised != null;
        boolean flags = effective.contains(statement.line);
        statement.hits.add(row.transaction().timestamp(), fraud, flags, flags && raised == Tier.BLOCK);
        if (!matched) {
          continue;
        }
        statement.matched++;
        statement.matchedFrauds += fraud ? 1 : 0;
        boolean alone;
        if (raised == Tier.ALLOW) {
          boolean otherwiseFlagged = modelTier != Tier.ALLOW || !judgement.ruleHits().isEmpty();
          alone = tier == Tier.ALLOW && otherwiseFlagged;
        } else {
          alone = tier != Tier.ALLOW && modelTier == Tier.ALLOW && effective.size() == 1 && effective.contains(statement.line);
        }
        if (alone) {
          statement.alone++;
          statement.aloneFrauds += fraud ? 1 : 0;
        }
      }
    }

    PolicyResult result(List<FeatureRow> rows, FraudKinds kinds) {
      List<StatementResult> results = statements.values().stream().map(StatementTally::result).toList();
      return new PolicyResult(name, rules.version(), total.total(), total.flaggedPerDay(), total.days(),
          KindRecall.of(rows, flagged, blocked, kinds), results);
    }
  }

  /** The counts of one statement. */
  private static final class StatementTally {
    private final int line;
    private final String text;
    private final DailyTally hits = new DailyTally();
    private long matched;
    private long matchedFrauds;
    private long alone;
    private long aloneFrauds;

    StatementTally(Rules.Statement statement) {
      line = statement.line();
      text = statement.text();
    }

    StatementResult result() {
      return new StatementResult(line, text, matched, matchedFrauds, hits.total(), hits.days(), alone, aloneFrauds);
    }
  }
}
