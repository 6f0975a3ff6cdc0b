package io.fraudstream.models;

import static io.fraudstream.models.ReportHtml.count;
import static io.fraudstream.models.ReportHtml.escape;
import static io.fraudstream.models.ReportHtml.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.models.data.FraudKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The evaluation of a model as a self-contained HTML page (ROC and precision-recall curves and
 * score histograms drawn as inline SVG, metrics in tables) and as JSON for machines.
 */
public final class Report {

  private static final ObjectMapper JSON = ReportHtml.JSON;

  private Report() {}

  /** Features listed under what the model weighs most. */
  static final int IMPORTANT_FEATURES = 15;

  /** The JSON form: what was trained, how it was chosen and every metric. */
  public static ObjectNode json(TrainingProtocol.Outcome outcome, FraudKinds kinds, String command) {
    ObjectNode root = JSON.createObjectNode();
    root.put("command", command);
    root.put("model_version", outcome.bundle().version());
    root.put("trainer", outcome.bundle().manifest().trainer());
    root.set("dataset", JSON.valueToTree(outcome.bundle().manifest().dataset()));
    root.put("split", outcome.split());
    root.put("selection_split", outcome.selection());
    root.put("label_delay_days", outcome.bundle().manifest().labelDelayDays());
    root.put("training_seconds", outcome.trainingSeconds());
    root.set("thresholds", JSON.valueToTree(outcome.bundle().thresholds()));
    root.set("candidates", JSON.valueToTree(outcome.candidates()));
    root.set("feature_importance", JSON.valueToTree(FeatureImportance.of(outcome.bundle(), IMPORTANT_FEATURES)));
    root.set("test", metrics(outcome.test()));
    TestWindow window = new TestWindow(outcome, kinds);
    root.set("per_day", JSON.valueToTree(window.days()));
    root.set("recall_per_kind", JSON.valueToTree(window.kinds()));
    if (outcome.rawColumns() != null) {
      root.set("raw_columns_only", metrics(outcome.rawColumns()));
    }
    var folds = root.putArray("folds");
    for (TrainingProtocol.Fold fold : outcome.folds()) {
      ObjectNode node = folds.addObject();
      node.put("split", fold.split());
      node.set("metrics", metrics(fold.metrics()));
    }
    ObjectNode summary = root.putObject("folds_mean_std");
    for (Map.Entry<String, double[]> entry : foldValues(outcome.folds()).entrySet()) {
      summary.putArray(entry.getKey()).add(mean(entry.getValue())).add(std(entry.getValue()));
    }
    return root;
  }

  private static ObjectNode metrics(Evaluation.Metrics metrics) {
    ObjectNode node = JSON.valueToTree(metrics);
    for (String tier : List.of("challenge", "block")) {
      Evaluation.Confusion confusion = tier.equals("challenge") ? metrics.challenge() : metrics.block();
      ObjectNode at = (ObjectNode) node.get(tier);
      at.put("precision", confusion.precision());
      at.put("recall", confusion.recall());
      at.put("falsePositiveRate", confusion.falsePositiveRate());
    }
    return node;
  }

  private static Map<String, double[]> foldValues(List<TrainingProtocol.Fold> folds) {
    Map<String, double[]> values = new LinkedHashMap<>();
    values.put("auc_roc", folds.stream().mapToDouble(f -> f.metrics().aucRoc()).toArray());
    values.put("average_precision", folds.stream().mapToDouble(f -> f.metrics().averagePrecision()).toArray());
    values.put("card_precision_at_100", folds.stream().mapToDouble(f -> f.metrics().cardPrecisionAt100()).toArray());
    values.put("recall_at_1pct_fpr", folds.stream().mapToDouble(f -> f.metrics().recallAt1PercentFpr()).toArray());
    return values;
  }

  /** Writes {@code <name>.html} and {@code <name>.json} beside it; returns both paths. */
  public static List<Path> write(Path html, TrainingProtocol.Outcome outcome, FraudKinds kinds, String command) throws IOException {
    return ReportHtml.write(html, html(outcome, kinds, command), json(outcome, kinds, command));
  }

  static String html(TrainingProtocol.Outcome outcome, FraudKinds kinds, String command) {
    boolean[] fraud = new boolean[outcome.testRows().size()];
    for (int i = 0; i < fraud.length; i++) {
      fraud[i] = outcome.testRows().get(i).fraud();
    }
    ModelBundle.Manifest manifest = outcome.bundle().manifest();
    StringBuilder page = ReportHtml.page("fraudstream model " + outcome.bundle().version());
    page.append("<h1>Model ").append(escape(outcome.bundle().version())).append("</h1>");
    page.append("<p><code>").append(escape(command)).append("</code></p>");
    page.append("<table>");
    row(page, "trainer", manifest.trainer());
    row(page, "dataset", manifest.dataset().name() + " (" + String.format(Locale.ROOT, "%,d", manifest.dataset().rows())
        + " training rows, fingerprint " + manifest.dataset().fingerprint().substring(0, 12) + "…)");
    row(page, "split", outcome.split());
    row(page, "label delay", manifest.labelDelayDays() + " days");
    row(page, "thresholds", String.format(Locale.ROOT, "CHALLENGE at %.4f, BLOCK at %.4f", outcome.bundle().thresholds().challenge(),
        outcome.bundle().thresholds().block()));
    if (!Double.isNaN(outcome.trainingSeconds())) {
      row(page, "training time", String.format(Locale.ROOT, "%.1f s", outcome.trainingSeconds()));
    }
    page.append("</table>");

    page.append("<h2>Test window</h2><table><tr><th>model</th><th>payments</th><th>frauds</th><th>AUC ROC</th><th>average precision</th>")
        .append("<th>card precision@100</th><th>recall at 1% FPR</th><th>CHALLENGE precision / recall</th><th>BLOCK precision / recall</th></tr>");
    metricsRow(page, "all features", outcome.test());
    if (outcome.rawColumns() != null) {
      metricsRow(page, "raw columns only", outcome.rawColumns());
    }
    page.append("</table>");

    TestWindow window = new TestWindow(outcome, kinds);
    if (!window.kinds().isEmpty()) {
      page.append("<h2>Recall per kind of fraud</h2><p>From the dataset's <code>fraud.type</code> column: ground truth, never a model ")
          .append("input.</p><table><tr><th>kind</th><th>frauds</th><th>flagged (CHALLENGE or BLOCK)</th><th>recall</th>")
          .append("<th>blocked</th><th>BLOCK recall</th></tr>");
      for (KindRecall kind : window.kinds()) {
        page.append("<tr><td>").append(escape(kind.kind())).append("</td><td>").append(count(kind.frauds())).append("</td><td>")
            .append(count(kind.flagged())).append("</td><td>").append(format(kind.recall())).append("</td><td>")
            .append(count(kind.blocked())).append("</td><td>").append(format(kind.blockRecall())).append("</td></tr>");
      }
      page.append("</table>");
    }
    page.append("<h2>Per day</h2><p>At the bundle's thresholds. Alerts are payments flagged CHALLENGE or BLOCK; the shares of ")
        .append("legitimate payments are the friction on good users.</p>").append(ReportHtml.dayTable(window.days()));

    FeatureImportance importance = FeatureImportance.of(outcome.bundle(), IMPORTANT_FEATURES);
    page.append("<h2>What the model weighs most</h2><p>").append(escape(importance.measure()))
        .append("</p><table><tr><th>feature</th><th>value</th></tr>");
    for (FeatureImportance.Entry entry : importance.features()) {
      page.append("<tr><td>").append(escape(entry.feature())).append("</td><td>")
          .append(String.format(Locale.ROOT, "%.4g", entry.value())).append("</td></tr>");
    }
    page.append("</table>");

    if (!outcome.candidates().isEmpty()) {
      page.append("<h2>Hyper-parameter search</h2><p>Each candidate trained on the selection split (").append(escape(outcome.selection()))
          .append(") and ")
          .append("measured on its own test window, which lies before the final test window.</p><table><tr><th>candidate</th>")
          .append("<th>validation average precision</th></tr>");
      for (TrainingProtocol.Candidate candidate : outcome.candidates()) {
        page.append("<tr><td>").append(escape(candidate.trainer())).append("</td><td>")
            .append(format(candidate.validationAveragePrecision())).append("</td></tr>");
      }
      page.append("</table>");
    }
    if (outcome.folds().size() > 1) {
      page.append("<h2>Prequential folds</h2><table><tr><th>split</th><th>AUC ROC</th><th>average precision</th>")
          .append("<th>card precision@100</th><th>recall at 1% FPR</th></tr>");
      for (TrainingProtocol.Fold fold : outcome.folds()) {
        page.append("<tr><td>").append(escape(fold.split())).append("</td><td>").append(format(fold.metrics().aucRoc()))
            .append("</td><td>").append(format(fold.metrics().averagePrecision())).append("</td><td>")
            .append(format(fold.metrics().cardPrecisionAt100())).append("</td><td>")
            .append(format(fold.metrics().recallAt1PercentFpr())).append("</td></tr>");
      }
      page.append("<tr><th>mean ± std</th>");
      for (double[] values : foldValues(outcome.folds()).values()) {
        page.append("<th>").append(format(mean(values))).append(" ± ").append(format(std(values))).append("</th>");
      }
      page.append("</tr></table>");
    }

    page.append("<h2>Curves</h2>");
    List<double[][]> rocs = new ArrayList<>();
    rocs.add(ReportCharts.roc(outcome.testScores(), fraud));
    List<double[][]> precisionRecalls = new ArrayList<>();
    precisionRecalls.add(ReportCharts.precisionRecall(outcome.testScores(), fraud));
    if (outcome.rawScores() != null) {
      rocs.add(ReportCharts.roc(outcome.rawScores(), fraud));
      precisionRecalls.add(ReportCharts.precisionRecall(outcome.rawScores(), fraud));
    }
    Thresholds thresholds = outcome.bundle().thresholds();
    ReportCharts.OperatingPoint challenge = ReportCharts.operatingPoint(outcome.testScores(), fraud, thresholds.challenge());
    ReportCharts.OperatingPoint block = ReportCharts.operatingPoint(outcome.testScores(), fraud, thresholds.block());
    page.append(ReportCharts.chart("ROC curve", "false-positive rate", "true-positive rate", rocs, true,
        List.of(challenge.marker("CHALLENGE", challenge.falsePositiveRate(), challenge.recall()),
            block.marker("BLOCK", block.falsePositiveRate(), block.recall()))));
    page.append(ReportCharts.chart("Precision-recall curve", "recall", "precision", precisionRecalls, false,
        List.of(challenge.marker("CHALLENGE", challenge.recall(), challenge.precision()),
            block.marker("BLOCK", block.recall(), block.precision()))));
    page.append(ReportCharts.histogram(outcome.testScores(), fraud, thresholds));
    page.append(ReportCharts.alertsChart(outcome.testScores(), fraud, window.days().size(), challenge, block));
    page.append(outcome.rawScores() != null ? "<p>Blue: all features. Grey: raw columns only.</p>" : "").append("</body></html>\n");
    return page.toString();
  }

  /**
   * The test window day by day and by kind of fraud, at the bundle's thresholds.
   *
   * @param days per day: the counts and the day's average precision
   */
  record TestWindow(List<ReportHtml.DayRow> days, List<KindRecall> kinds) {

    TestWindow(TrainingProtocol.Outcome outcome, FraudKinds kinds) {
      this(days(outcome), kindRecalls(outcome, kinds));
    }

    private static List<ReportHtml.DayRow> days(TrainingProtocol.Outcome outcome) {
      Thresholds thresholds = outcome.bundle().thresholds();
      DailyTally tally = new DailyTally();
      Map<LocalDate, List<Integer>> rowsOfDay = new TreeMap<>();
      for (int i = 0; i < outcome.testScores().length; i++) {
        FeatureRow row = outcome.testRows().get(i);
        double score = outcome.testScores()[i];
        tally.add(row.transaction().timestamp(), row.fraud(), score >= thresholds.challenge(), score >= thresholds.block());
        rowsOfDay.computeIfAbsent(row.transaction().timestamp().atOffset(ZoneOffset.UTC).toLocalDate(), d -> new ArrayList<>())
            .add(i);
      }
      return tally.days().stream().map(day -> {
        List<Integer> indices = rowsOfDay.get(day.day());
        double[] scores = indices.stream().mapToDouble(i -> outcome.testScores()[i]).toArray();
        boolean[] fraud = new boolean[indices.size()];
        for (int k = 0; k < fraud.length; k++) {
          fraud[k] = outcome.testRows().get(indices.get(k)).fraud();
        }
        return new ReportHtml.DayRow(day.day(), day.counts(), Evaluation.averagePrecision(scores, fraud));
      }).toList();
    }

    private static List<KindRecall> kindRecalls(TrainingProtocol.Outcome outcome, FraudKinds kinds) {
      Thresholds thresholds = outcome.bundle().thresholds();
      double[] scores = outcome.testScores();
      boolean[] flagged = new boolean[scores.length];
      boolean[] blocked = new boolean[scores.length];
      for (int i = 0; i < scores.length; i++) {
        flagged[i] = scores[i] >= thresholds.challenge();
        blocked[i] = scores[i] >= thresholds.block();
      }
      return KindRecall.of(outcome.testRows(), flagged, blocked, kinds);
    }
  }

  /** Recall per kind of fraud on the outcome's test window, at the bundle's thresholds; empty without kinds. */
  public static List<KindRecall> recallPerKind(TrainingProtocol.Outcome outcome, FraudKinds kinds) {
    return TestWindow.kindRecalls(outcome, kinds);
  }


  private static void row(StringBuilder page, String name, String value) {
    page.append("<tr><th>").append(escape(name)).append("</th><td>").append(escape(value)).append("</td></tr>");
  }

  private static void metricsRow(StringBuilder page, String name, Evaluation.Metrics m) {
    page.append("<tr><td>").append(name).append("</td><td>").append(String.format(Locale.ROOT, "%,d", m.payments())).append("</td><td>")
        .append(String.format(Locale.ROOT, "%,d", m.frauds())).append("</td><td>").append(format(m.aucRoc())).append("</td><td>")
        .append(format(m.averagePrecision())).append("</td><td>").append(format(m.cardPrecisionAt100())).append("</td><td>")
        .append(format(m.recallAt1PercentFpr())).append("</td><td>").append(format(m.challenge().precision())).append(" / ")
        .append(format(m.challenge().recall())).append("</td><td>").append(format(m.block().precision())).append(" / ")
        .append(format(m.block().recall())).append("</td></tr>");
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }

  private static double std(double[] values) {
    double mean = mean(values);
    return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, values.length - 1));
  }
}
