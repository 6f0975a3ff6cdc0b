package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fraudstream backtest} through the real command line, on generated payments in the
 * handbook's format, with rules whose hits the test counts itself from the payments.
 */
class BacktestCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate FROM = LocalDate.parse("2024-01-13");
  private static final int DAYS = 7;

  @TempDir
  static Path dir;
  private static List<Transaction> payments;
  private static Path data;
  private static Path bundle;

  @BeforeAll
  static void trainAModel() throws Exception {
    payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 20, 4).withFraud(0.2,
        List.of(SyntheticGenerator.FraudPattern.values())));
    data = TrainCommandsTest.handbookWithKinds(dir.resolve("history.csv"), payments);
    bundle = dir.resolve("model.bundle");
    assertEquals(0, FraudstreamCli.execute("train", "--dataset", data.toString(), "--trainer", "xgboost:trees=20,depth=4",
        "--train-days", "8", "--gap-days", "2", "--test-days", "5", "--label-delay-days", "2", "--out", bundle.toString()));
  }

  private static LocalDate day(Transaction tx) {
    return tx.timestamp().atOffset(ZoneOffset.UTC).toLocalDate();
  }

  private static boolean inWindow(Transaction tx) {
    return !day(tx).isBefore(FROM) && day(tx).isBefore(FROM.plusDays(DAYS));
  }

  private static Collector<Transaction, ?, Map<String, Long>> perDay() {
    return Collectors.groupingBy(tx -> day(tx).toString(), TreeMap::new, Collectors.counting());
  }

  @Test
  void shouldCountExactlyWhatEachRuleMatchesAndWhatItAddsBeyondTheModel() throws Exception {
    List<Transaction> window = payments.stream().filter(BacktestCommandTest::inWindow).toList();
    // The listed terminal: the one with the most large payments, so that both lines fire on some.
    String terminal = window.stream().filter(tx -> tx.merchant() != null && tx.amount() > 150)
        .collect(Collectors.groupingBy(Transaction::merchant, Collectors.counting())).entrySet().stream()
        .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    Path strict = dir.resolve("strict.rules");
    Files.writeString(strict, String.join("\n",
        "# large payments, and a terminal known to be compromised",
        "when amount > 150 then challenge \"large payment\"",
        "block merchant " + terminal + " reason \"compromised terminal\"", ""));
    Path loose = dir.resolve("loose.rules");
    Files.writeString(loose, "limit amount 300 block\n");
    Path html = dir.resolve("backtest.html");
    assertEquals(0, FraudstreamCli.execute("backtest", "--model", bundle.toString(), "--dataset", data.toString(),
        "--rules", strict.toString(), "--rules", loose.toString(), "--from", FROM.toString(), "--days", Integer.toString(DAYS),
        "--report", html.toString()));
    JsonNode report = JSON.readTree(dir.resolve("backtest.json").toFile());

    // The whole window, in all and per day.
    long frauds = window.stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count();
    JsonNode modelAlone = report.get("model_alone");
    assertEquals(window.size(), modelAlone.get("total").get("payments").asLong());
    assertEquals(frauds, modelAlone.get("total").get("frauds").asLong());
    assertEquals(DAYS, modelAlone.get("days").size());
    assertEquals(2, report.get("policies").size(), "the two files side by side");

    // Line 2 fires on every payment over 150, day by day; line 3 on every payment at the terminal.
    JsonNode strictPolicy = report.get("policies").get(0);
    assertEquals("strict.rules", strictPolicy.get("name").asText());
    JsonNode large = strictPolicy.get("statements").get(0);
    JsonNode listed = strictPolicy.get("statements").get(1);
    assertEquals(2, large.get("line").asInt());
    List<Transaction> over150 = window.stream().filter(tx -> tx.amount() > 150).toList();
    assertTrue(over150.size() > 20, over150.size() + " large payments");
    assertEquals(over150.size(), large.get("matched").asLong());
    assertEquals(over150.stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count(), large.get("matchedFrauds").asLong());
    // Its alerts: where the block list, which comes first, did not decide.
    List<Transaction> over150Elsewhere = over150.stream().filter(tx -> !terminal.equals(tx.merchant())).toList();
    assertTrue(over150Elsewhere.size() < over150.size(), "some large payments are at the listed terminal");
    assertEquals(over150Elsewhere.size(), large.get("hits").get("flagged").asLong());
    assertEquals(0, large.get("hits").get("blocked").asLong(), "a challenge rule blocks nothing");
    assertEquals(over150Elsewhere.stream().collect(perDay()), flaggedPerDay(large));
    List<Transaction> atTerminal = window.stream().filter(tx -> terminal.equals(tx.merchant())).toList();
    assertEquals(3, listed.get("line").asInt());
    assertEquals(atTerminal.size(), listed.get("matched").asLong());
    assertEquals(atTerminal.size(), listed.get("hits").get("blocked").asLong(), "the block list blocks");

    // Alone: over 150, not at the listed terminal, and the model alone would have allowed it.
    ModelBundle model = ModelBundle.load(bundle);
    ModelScorer scorer = new ModelScorer(model);
    long alone = 0;
    long aloneFrauds = 0;
    long modelFlagged = 0;
    for (FeatureRow row : OfflineReplay.replay(payments, "a secret of sixteen bytes or more".getBytes(StandardCharsets.UTF_8), model.labelDelay())) {
      Transaction tx = row.transaction();
      if (!inWindow(tx)) {
        continue;
      }
      boolean modelAllows = scorer.probability(row.features()) < model.thresholds().challenge();
      modelFlagged += modelAllows ? 0 : 1;
      if (modelAllows && tx.amount() > 150 && !terminal.equals(tx.merchant())) {
        alone++;
        aloneFrauds += Boolean.TRUE.equals(tx.label()) ? 1 : 0;
      }
    }
    assertEquals(modelFlagged, modelAlone.get("total").get("flagged").asLong(), "the model alone flags what its thresholds say");
    assertEquals(alone, large.get("alone").asLong());
    assertEquals(aloneFrauds, large.get("aloneFrauds").asLong());

    // The loose file: one limit, blocking every payment over 300.
    JsonNode limit = report.get("policies").get(1).get("statements").get(0);
    assertEquals(window.stream().filter(tx -> tx.amount() > 300).count(), limit.get("hits").get("blocked").asLong());

    // Recall per kind, for every policy, from the dataset's scenario column.
    Map<String, Long> kinds = window.stream().filter(tx -> Boolean.TRUE.equals(tx.label()))
        .collect(Collectors.groupingBy(TrainCommandsTest::kindOf, TreeMap::new, Collectors.counting()));
    Map<String, Long> reported = new TreeMap<>();
    strictPolicy.get("kinds").forEach(kind -> reported.put(kind.get("kind").asText(), kind.get("frauds").asLong()));
    assertEquals(kinds, reported);

    String page = Files.readString(html);
    assertTrue(page.contains("Policies side by side") && page.contains("strict.rules: each statement")
        && page.contains("large payment") && page.contains("loose.rules: per day"), "the HTML report has every part");
  }

  private static Map<String, Long> flaggedPerDay(JsonNode statement) {
    Map<String, Long> days = new TreeMap<>();
    for (JsonNode day : statement.get("days")) {
      long flagged = day.get("counts").get("flagged").asLong();
      if (flagged > 0) {
        days.put(day.get("day").asText(), flagged);
      }
    }
    return days;
  }

  @Test
  void badBacktestArgumentsShouldSayWhatToFix() {
    assertEquals("fraudstream: --days needs --from: the first day reported",
        TrainCommandsTest.stderrOf("backtest", "--model", bundle.toString(), "--dataset", data.toString(), "--days", "3"));
    assertEquals("fraudstream: --rules " + dir.resolve("missing.rules") + " does not exist",
        TrainCommandsTest.stderrOf("backtest", "--model", bundle.toString(), "--dataset", data.toString(), "--rules", dir.resolve("missing.rules").toString()));
    String outside = TrainCommandsTest.stderrOf("backtest", "--model", bundle.toString(), "--dataset", data.toString(), "--from", "2030-01-01");
    assertTrue(outside.startsWith("fraudstream: --from 2030-01-01 reports no day of the data, which runs 2024-01-01 .. "
        + day(payments.get(payments.size() - 1)) + "; choose days within it"), outside);
  }
}
