package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.features.Feature;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fraudstream monitor} through the real command line: a bundle's drift on a dataset, and its calibration. */
class MonitorCommandTest {

  @TempDir
  Path dir;

  private static String stdoutOf(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, FraudstreamCli.execute(args), String.join(" ", args));
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      System.setOut(original);
    }
  }

  @Test
  void reportsTheScoresAndFeaturesDriftAndTheCalibrationOfALabelledDataset() throws Exception {
    Path training = dir.resolve("training.csv.gz");
    Path later = dir.resolve("later.csv.gz");
    Path bundle = dir.resolve("model.bundle");
    FraudstreamCli.execute("generate", "--out", training.toString(), "--users", "300", "--days", "30", "--seed", "3");
    FraudstreamCli.execute("generate", "--out", later.toString(), "--users", "300", "--days", "30", "--seed", "4");
    assertEquals(0, FraudstreamCli.execute("train", "--dataset", training.toString(), "--trainer", "logistic", "--out", bundle.toString()));
    Path report = dir.resolve("monitor.html");
    String out = stdoutOf("monitor", "--model", bundle.toString(), "--dataset", later.toString(), "--days", "7", "--top", "5",
        "--report", report.toString());
    assertTrue(out.contains("score          PSI "), out);
    assertEquals(5, out.lines().filter(line -> line.matches("  [a-z0-9_]+ +\\d\\.\\d{3}  (stable|moving|shifted)")).count(), out);
    assertEquals(10, out.lines().filter(line -> line.matches("  \\d+ +\\d\\.\\d{4} - .*")).count(), "ten deciles of calibration:\n" + out);
    String page = Files.readString(report);
    assertTrue(page.contains("<h2>Calibration</h2>") && page.contains("<h2>Features, most drifted first</h2>"), page);
    JsonNode json = new ObjectMapper().readTree(dir.resolve("monitor.json").toFile());
    assertEquals(Feature.count(), json.get("features").size(), "the report lists every feature");
    assertEquals(10, json.get("calibration").size());
    String stderr = TrainCommandsTest.stderrOf("monitor", "--model", bundle.toString(), "--dataset", later.toString(), "--days", "0");
    assertTrue(stderr.contains("--days and --top must be at least 1"), stderr);
  }
}
