package io.fraudstream.engine.cli;

import io.fraudstream.engine.backtest.Backtest;
import io.fraudstream.engine.backtest.BacktestReport;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ReplayedDataset;
import io.fraudstream.models.TierCounts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Tries rules files on history before they go live: the same features, model and precedence as the engine. */
@Command(name = "backtest", mixinStandardHelpOptions = true,
    description = "Run a labelled dataset through the features, a model bundle and rules files, and report what the policy and each "
        + "rule would have flagged: per day, precision, recall, friction, and what each rule adds beyond the model.")
final class BacktestCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, description = "the bundle that scores the payments")
  Path model;

  @Option(names = "--rules", description = "a rules file to try; repeat it to compare files side by side (none: the model alone)")
  List<Path> rules = new ArrayList<>();

  @Mixin
  DatasetOptions input;

  @Option(names = "--from", description = "first day reported (default: the first day of the data); earlier days still build the features")
  LocalDate from;

  @Option(names = "--days", description = "days reported from --from (default: to the end of the data)")
  Integer days;

  @Option(names = "--report", defaultValue = "target/fraudstream/backtest.html",
      description = "the HTML report to write, with its JSON beside it (default ${DEFAULT-VALUE})")
  Path report;

  @Override
  public Integer call() throws Exception {
    if (days != null && days < 1) {
      throw new IllegalArgumentException("--days must be at least 1, got " + days);
    }
    if (days != null && from == null) {
      throw new IllegalArgumentException("--days needs --from: the first day reported");
    }
    ModelBundle bundle = ModelBundle.load(model);
    // Devices and countries on the lists are compared as tokens: one secret for the lists and the payments.
    IdentifierHasher hasher = new IdentifierHasher(DemoCommand.randomSecret().getBytes(StandardCharsets.UTF_8));
    List<Backtest.Policy> policies = new ArrayList<>();
    for (Path file : rules) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("--rules " + file + " does not exist");
      }
      String name = rules.stream().filter(other -> other.getFileName().equals(file.getFileName())).count() > 1
          ? file.toString() : file.getFileName().toString();
      policies.add(new Backtest.Policy(name, Rules.load(file, hasher)));
    }
    ReplayedDataset dataset = input.replayed(bundle.labelDelay());
    List<FeatureRow> all = dataset.rows();
    List<FeatureRow> window = all.stream().filter(row -> within(day(row))).toList();
    String described = describeWindow(all);
    Backtest.Result result = Backtest.run(bundle, window, hasher, policies, dataset.fraudKinds(), described);
    List<Path> written = BacktestReport.write(report, result,
        "fraudstream " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));

    System.out.printf(Locale.ROOT, "backtest of model %s on %s (%,d payments, %,d frauds)%n", result.modelVersion(), described,
        result.modelAlone().total().payments(), result.modelAlone().total().frauds());
    print(result.modelAlone());
    for (Backtest.PolicyResult policy : result.policies()) {
      print(policy);
      for (Backtest.StatementResult statement : policy.statements()) {
        System.out.printf(Locale.ROOT, "    line %-3d %,8d matched  %,8d alerts  precision %.3f  alone %,d (%,d fraud)  %s%n",
            statement.line(), statement.matched(), statement.hits().flagged(), statement.hits().precision(), statement.alone(),
            statement.aloneFrauds(), statement.statement());
      }
    }
    System.out.println("report " + written.get(0) + " and " + written.get(1));
    return 0;
  }

  private static void print(Backtest.PolicyResult policy) {
    TierCounts c = policy.total();
    System.out.printf(Locale.ROOT, "  %-24s %,8d alerts (%,.1f a day)  precision %.3f  recall %.3f  BLOCK recall %.3f  "
        + "legitimate challenged %.3f %%  blocked %.3f %%%n", policy.name(), c.flagged(), policy.flaggedPerDay(), c.precision(),
        c.recall(), c.blockRecall(), 100 * c.legitChallengedShare(), 100 * c.legitBlockedShare());
  }

  private boolean within(LocalDate day) {
    return (from == null || !day.isBefore(from)) && (days == null || from == null || day.isBefore(from.plusDays(days)));
  }

  private String describeWindow(List<FeatureRow> all) {
    if (all.isEmpty()) {
      throw new IllegalArgumentException("--dataset " + input.dataset + " holds no payments");
    }
    LocalDate first = day(all.get(0));
    LocalDate last = day(all.get(all.size() - 1));
    LocalDate start = from == null ? first : from;
    LocalDate end = days == null ? last : start.plusDays(days - 1L);
    if (start.isAfter(last) || end.isBefore(first)) {
      throw new IllegalArgumentException("--from " + start + (days == null ? "" : " --days " + days) + " reports no day of the data, "
          + "which runs " + first + " .. " + last + "; choose days within it");
    }
    return "the days " + start + " .. " + end;
  }

  private static LocalDate day(FeatureRow row) {
    return row.transaction().timestamp().atOffset(ZoneOffset.UTC).toLocalDate();
  }
}
