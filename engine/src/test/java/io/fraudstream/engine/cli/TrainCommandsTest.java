package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.models.ModelBundle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  private static String stderrOf(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      run(args);
      return err.toString(StandardCharsets.UTF_8).strip();
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

    Path evaluation = dir.resolve("evaluation.html");
    assertEquals(0, run("evaluate", "--model", bundle.toString(), "--dataset", data.toString(), "--report", evaluation.toString()));
    JsonNode evaluated = JSON.readTree(dir.resolve("evaluation.json").toFile());
    assertEquals(testAp, evaluated.get("test").get("averagePrecision").asDouble(), 1e-12,
        "the same model on the same (latest) week gives the same figures");
  }

  @Test
  void badTrainingArgumentsShouldSayWhatToFix() throws Exception {
    Path data = dir.resolve("small.csv");
    assertEquals(0, run("generate", "--out", data.toString(), "--users", "50", "--days", "10"));
    assertEquals("fraudstream: unknown trainer 'svm'; use logistic, random-forest or xgboost",
        stderrOf("train", "--dataset", data.toString(), "--trainer", "svm"));
    String tooEarly = stderrOf("train", "--dataset", data.toString(), "--train-start", "2020-01-01");
    assertTrue(tooEarly.contains("holds no payments; choose a split within the data"), tooEarly);
    assertTrue(stderrOf("train", "--dataset", data.toString(), "--label-delay-days", "40").contains("label delay"));
  }
}
