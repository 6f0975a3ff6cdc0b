package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.data.DatasetWriter;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training and evaluating through the real command line, on a generated dataset. */
class TrainCommandsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static int run(String... args) {
    return FraudstreamCli.execute(args);
  }

  private static final Pattern LOG_LINE = Pattern.compile("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) ");

  /**
   * Runs the command line and returns what it printed to standard error, without log lines
   * (a thread of an earlier test may still be logging there).
   */
  static String stderrOf(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      run(args);
      return err.toString(StandardCharsets.UTF_8).lines().filter(line -> !LOG_LINE.matcher(line).lookingAt())
          .collect(Collectors.joining("\n")).strip();
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void trainShouldChooseOnValidationWriteTheBundleAndReportAndEvaluateShouldAgree() throws Exception {
    Path data = dir.resolve("data.csv.gz");
    assertEquals(0, run("generate", "--out", data.toString(), "--users", "500", "--days", "40", "--seed", "5", "--fraud-share", "0.15"));
    Path bundle = dir.resolve("model.bundle");
    assertEquals(0, run("train", "--dataset", data.toString(), "--trainer", "logistic", "--trainer", "xgboost:trees=20,depth=4",
        "--folds", "2", "--reviews-per-day", "40", "--label-delay-days", "5", "--out", bundle.toString()));

    ModelBundle trained = ModelBundle.load(bundle);
    assertEquals(Duration.ofDays(5), trained.labelDelay());
    assertEquals(40.0, trained.manifest().metrics().get("target_reviews_per_day"));
    JsonNode report = JSON.readTree(dir.resolve("model.json").toFile());
    assertEquals(trained.version(), report.get("model_version").asText());
    assertEquals(2, report.get("candidates").size(), "both trainers were tried on the validation split");
    String chosen = trained.manifest().trainer();
    JsonNode best = report.get("candidates").get(0).get("validationAveragePrecision").asDouble()
        >= report.get("candidates").get(1).get("validationAveragePrecision").asDouble()
        ? report.get("candidates").get(0) : report.get("candidates").get(1);
    assertTrue(chosen.contains(best.get("trainer").asText()), chosen + " is not the best candidate " + best);
    assertEquals(2, report.get("folds").size());
    double testAp = report.get("test").get("averagePrecision").asDouble();
    double rawAp = report.get("raw_columns_only").get("averagePrecision").asDouble();
    assertTrue(testAp > rawAp, "behavioural features must add something: " + testAp + " against raw " + rawAp);
    String html = Files.readString(dir.resolve("model.html"));
    assertTrue(html.contains("<svg") && html.contains("ROC curve") && html.contains("Precision-recall curve")
        && html.contains("Scores: share of each class"), "the report draws its curves");
    JsonNode importance = report.get("feature_importance");
    assertTrue(importance.get("features").size() > 0 && html.contains("What the model weighs most")
        && html.contains(importance.get("features").get(0).get("feature").asText()), "the report says what the model weighs: " + importance);
    assertTrue(html.contains("<title>CHALLENGE at ") && html.contains("<title>BLOCK at "), "the thresholds are marked on the curves");

    Path evaluation = dir.resolve("evaluation.html");
    assertEquals(0, run("evaluate", "--model", bundle.toString(), "--dataset", data.toString(), "--report", evaluation.toString()));
    JsonNode evaluated = JSON.readTree(dir.resolve("evaluation.json").toFile());
    assertEquals(testAp, evaluated.get("test").get("averagePrecision").asDouble(), 1e-12,
        "the same model on the same (latest) week gives the same figures");
  }

  @Test
  void twoTrainersOnFiveDaysShouldChooseOnWindowsCarvedFromTheTrainingWindowAllInsideTheData() throws Exception {
    // Eight generated days, of which the last five are kept: the generator plants frauds from its
    // fourth day on, so each kept day holds some.
    Instant first = Instant.parse("2024-01-01T00:00:00Z");
    Instant end = first.plus(Duration.ofDays(5));
    List<Transaction> fiveDays = SyntheticGenerator.generate(new SyntheticGenerator.Settings(400, 8, 11, 0.15,
            first.minus(Duration.ofDays(3)), List.of(SyntheticGenerator.FraudPattern.values()), false))
        .stream().filter(tx -> !tx.timestamp().isBefore(first) && tx.timestamp().isBefore(end)).toList();
    Path data = dir.resolve("five-days.csv");
    DatasetWriter.write(data, fiveDays);
    Path bundle = dir.resolve("short.bundle");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = run("train", "--dataset", data.toString(), "--trainer", "logistic", "--trainer", "xgboost:trees=20,depth=4",
          "--train-days", "4", "--gap-days", "0", "--test-days", "1", "--label-delay-days", "1", "--out", bundle.toString());
    } finally {
      System.setOut(original);
    }
    String output = printed.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, output);
    // The window one test window earlier would begin 2023-12-31, before the data: the selection is
    // carved from the end of the training window instead.
    assertTrue(output.contains("split: train 2024-01-01 .. 2024-01-04, gap 0 days, test 2024-01-05 .. 2024-01-05; "
        + "choosing among 2 trainers on train 2024-01-01 .. 2024-01-03, gap 0 days, test 2024-01-04 .. 2024-01-04"), output);
    Matcher dates = Pattern.compile("\\d{4}-\\d{2}-\\d{2}").matcher(output.substring(output.indexOf("split:")));
    while (dates.find()) {
      LocalDate date = LocalDate.parse(dates.group());
      assertTrue(!date.isBefore(LocalDate.parse("2024-01-01")) && !date.isAfter(LocalDate.parse("2024-01-05")),
          date + " is printed but lies outside the data: " + output);
    }
    JsonNode report = JSON.readTree(dir.resolve("short.json").toFile());
    assertEquals(2, report.get("candidates").size());
    assertEquals("train 2024-01-01 .. 2024-01-03, gap 0 days, test 2024-01-04 .. 2024-01-04", report.get("selection_split").asText());
  }

  /**
   * Generated payments in the handbook's format, each fraud's TX_FRAUD_SCENARIO named after the
   * generator's pattern (each pattern has a category of its own): a dataset with a kind column.
   */
  static Path handbookWithKinds(Path file, List<Transaction> payments) throws IOException {
    List<String> lines = new ArrayList<>(List.of(
        "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO"));
    for (Transaction tx : payments) {
      boolean fraud = Boolean.TRUE.equals(tx.label());
      lines.add(String.join(",", tx.id(), tx.timestamp().toString().replace('T', ' ').replace("Z", ""), tx.user(),
          tx.merchant() == null ? "" : tx.merchant(), Double.toString(tx.amount()), "0", "0", fraud ? "1" : "0",
          fraud ? kindOf(tx) : "0"));
    }
    Files.write(file, lines);
    return file;
  }

  static String kindOf(Transaction fraud) {
    return switch (fraud.category()) {
      case "digital" -> "card-testing";
      case "transfer" -> "account-takeover";
      default -> "amount-spike";
    };
  }

  @Test
  void reportsShouldGiveRecallPerKindOfFraudFromTheTypeColumn() throws Exception {
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(400, 24, 9).withFraud(0.2,
        List.of(SyntheticGenerator.FraudPattern.values())));
    Path data = handbookWithKinds(dir.resolve("kinds.csv"), payments);
    Path bundle = dir.resolve("kinds.bundle");
    assertEquals(0, run("train", "--dataset", data.toString(), "--trainer", "xgboost:trees=20,depth=4", "--train-days", "10",
        "--gap-days", "3", "--test-days", "7", "--label-delay-days", "3", "--out", bundle.toString()));
    JsonNode report = JSON.readTree(dir.resolve("kinds.json").toFile());
    // The test window is the last seven days: count each kind's frauds there independently.
    LocalDate testStart = LocalDate.parse(payments.get(payments.size() - 1).timestamp().toString().substring(0, 10)).minusDays(6);
    Map<String, Long> expected = new TreeMap<>();
    for (Transaction tx : payments) {
      if (Boolean.TRUE.equals(tx.label()) && !LocalDate.parse(tx.timestamp().toString().substring(0, 10)).isBefore(testStart)) {
        expected.merge(kindOf(tx), 1L, Long::sum);
      }
    }
    Map<String, Long> reported = new TreeMap<>();
    long flagged = 0;
    for (JsonNode kind : report.get("recall_per_kind")) {
      reported.put(kind.get("kind").asText(), kind.get("frauds").asLong());
      flagged += kind.get("flagged").asLong();
      assertEquals((double) kind.get("flagged").asLong() / kind.get("frauds").asLong(), kind.get("recall").asDouble(), 1e-12);
    }
    assertEquals(expected, reported, "frauds per kind in the test window");
    assertEquals(report.get("test").get("challenge").get("truePositives").asLong(), flagged, "the kinds' flagged frauds add up");
    long days = 0;
    long dayPayments = 0;
    for (JsonNode day : report.get("per_day")) {
      days++;
      dayPayments += day.get("counts").get("payments").asLong();
    }
    assertEquals(7, days);
    assertEquals(report.get("test").get("payments").asLong(), dayPayments, "the days add up to the test window");
    String html = Files.readString(dir.resolve("kinds.html"));
    assertTrue(html.contains("Recall per kind of fraud") && html.contains("card-testing") && html.contains("Recall against alerts per day")
        && html.contains("Per day"), "the report shows recall per kind, the days and the alerts chart");
  }

  @Test
  void windowsBeyondTheDataShouldSayWhichOptionToChange() throws Exception {
    Path data = dir.resolve("week.csv");
    assertEquals(0, run("generate", "--out", data.toString(), "--users", "50", "--days", "5"));
    String error = stderrOf("train", "--dataset", data.toString(), "--out", dir.resolve("x.bundle").toString());
    assertTrue(error.contains("but the data holds") && error.contains("lower --train-days (7), --gap-days (7) or --test-days (7)"),
        error);
    String folds = stderrOf("train", "--dataset", data.toString(), "--train-days", "2", "--gap-days", "0", "--test-days", "1",
        "--folds", "9", "--out", dir.resolve("x.bundle").toString());
    assertTrue(folds.contains("--folds 9 needs earlier windows than the data holds"), folds);
  }

  @Test
  void badTrainingArgumentsShouldSayWhatToFix() throws Exception {
    Path data = dir.resolve("small.csv");
    assertEquals(0, run("generate", "--out", data.toString(), "--users", "50", "--days", "10"));
    assertEquals("fraudstream: unknown trainer 'svm'; use logistic, random-forest or xgboost",
        stderrOf("train", "--dataset", data.toString(), "--trainer", "svm"));
    String tooEarly = stderrOf("train", "--dataset", data.toString(), "--train-start", "2020-01-01");
    assertTrue(tooEarly.contains("reads 2020-01-01 .. 2020-01-21, but the data holds 10 days") && tooEarly.contains("or move --train-start"),
        tooEarly);
    assertTrue(stderrOf("train", "--dataset", data.toString(), "--label-delay-days", "40").contains("label delay"));
  }
}
