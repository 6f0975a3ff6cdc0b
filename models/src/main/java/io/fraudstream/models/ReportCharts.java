package io.fraudstream.models;

import static io.fraudstream.models.ReportHtml.escape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The training report's curves and charts: ROC and precision-recall from the scores, the
 * operating points the thresholds give, recall against alerts per day, and the score histogram,
 * drawn as inline SVG.
 */
final class ReportCharts {

  private static final int CURVE_POINTS = 400;
  private static final int BINS = 40;

  private ReportCharts() {}

  /**
   * Recall against the alerts an analyst team would review per day, from the best score down:
   * the curve a team reads its capacity off. The x axis runs to four times the alerts per day at
   * the CHALLENGE threshold, at most every payment.
   */
  static String alertsChart(double[] scores, boolean[] fraud, int days, OperatingPoint challenge, OperatingPoint block) {
    Integer[] order = descending(scores);
    long positives = 0;
    for (boolean f : fraud) {
      positives += f ? 1 : 0;
    }
    int perDayDays = Math.max(1, days);
    double[] alertsAt = {0, 0};
    for (int i = 0; i < scores.length; i++) {
      alertsAt[0] += scores[i] >= challenge.threshold() ? 1 : 0;
      alertsAt[1] += scores[i] >= block.threshold() ? 1 : 0;
    }
    double xMax = Math.max(1, Math.min(scores.length, 4 * Math.max(alertsAt[0], 1))) / perDayDays;
    List<double[]> points = new ArrayList<>(List.of(new double[] {0, 0}));
    long tp = 0;
    for (int i = 0; i < order.length; i++) {
      tp += fraud[order[i]] ? 1 : 0;
      double x = (i + 1.0) / perDayDays / xMax;
      if (x > 1) {
        break;
      }
      if (i + 1 == order.length || scores[order[i + 1]] != scores[order[i]]) {
        points.add(new double[] {x, positives == 0 ? 0 : (double) tp / positives});
      }
    }
    return chart("Recall against alerts per day", "alerts per day", "recall", List.<double[][]>of(thin(points)), false,
        List.of(challenge.marker("CHALLENGE", alertsAt[0] / perDayDays / xMax, challenge.recall()),
            block.marker("BLOCK", alertsAt[1] / perDayDays / xMax, block.recall())), xMax);
  }

  /** (false-positive rate, true-positive rate) from the best score down. */
  static double[][] roc(double[] scores, boolean[] fraud) {
    Integer[] order = descending(scores);
    long positives = 0;
    for (boolean f : fraud) {
      positives += f ? 1 : 0;
    }
    long negatives = fraud.length - positives;
    List<double[]> points = new ArrayList<>(List.of(new double[] {0, 0}));
    long tp = 0;
    long fp = 0;
    for (int i = 0; i < order.length; i++) {
      if (fraud[order[i]]) {
        tp++;
      } else {
        fp++;
      }
      if (i + 1 == order.length || scores[order[i + 1]] != scores[order[i]]) {
        points.add(new double[] {negatives == 0 ? 0 : (double) fp / negatives, positives == 0 ? 0 : (double) tp / positives});
      }
    }
    return thin(points);
  }

  /** (recall, precision) from the best score down. */
  static double[][] precisionRecall(double[] scores, boolean[] fraud) {
    Integer[] order = descending(scores);
    long positives = 0;
    for (boolean f : fraud) {
      positives += f ? 1 : 0;
    }
    List<double[]> points = new ArrayList<>();
    long tp = 0;
    for (int i = 0; i < order.length; i++) {
      tp += fraud[order[i]] ? 1 : 0;
      if (i + 1 == order.length || scores[order[i + 1]] != scores[order[i]]) {
        points.add(new double[] {positives == 0 ? 0 : (double) tp / positives, (double) tp / (i + 1)});
      }
    }
    return thin(points);
  }

  private static double[][] thin(List<double[]> points) {
    if (points.size() <= CURVE_POINTS) {
      return points.toArray(double[][]::new);
    }
    double[][] thinned = new double[CURVE_POINTS][];
    for (int i = 0; i < CURVE_POINTS; i++) {
      thinned[i] = points.get((int) ((long) i * (points.size() - 1) / (CURVE_POINTS - 1)));
    }
    return thinned;
  }

  /**
   * Where a threshold puts the model on the test window: the payments scoring at or above it, as
   * a share of the frauds (recall) and of the legitimate payments (false-positive rate), and the
   * share of them that are fraud (precision; 1 when none is flagged).
   */
  record OperatingPoint(double threshold, double recall, double falsePositiveRate, double precision) {
    Marker marker(String tier, double x, double y) {
      return new Marker(tier, x, y, String.format(Locale.ROOT, "%s at %.4f: recall %.3f, precision %.3f, false-positive rate %.5f",
          tier, threshold, recall, precision, falsePositiveRate));
    }
  }

  /** A labelled point on a chart, with its words as a tooltip. */
  record Marker(String label, double x, double y, String words) {}

  static OperatingPoint operatingPoint(double[] scores, boolean[] fraud, double threshold) {
    long frauds = 0;
    long flaggedFrauds = 0;
    long flaggedLegit = 0;
    for (int i = 0; i < scores.length; i++) {
      frauds += fraud[i] ? 1 : 0;
      if (scores[i] >= threshold) {
        flaggedFrauds += fraud[i] ? 1 : 0;
        flaggedLegit += fraud[i] ? 0 : 1;
      }
    }
    long legit = scores.length - frauds;
    long flagged = flaggedFrauds + flaggedLegit;
    return new OperatingPoint(threshold, frauds == 0 ? 0 : (double) flaggedFrauds / frauds,
        legit == 0 ? 0 : (double) flaggedLegit / legit, flagged == 0 ? 1 : (double) flaggedFrauds / flagged);
  }

  static String chart(String title, String xLabel, String yLabel, List<double[][]> curves, boolean diagonal,
      List<Marker> markers) {
    return chart(title, xLabel, yLabel, curves, diagonal, markers, 1);
  }

  /** A chart of curves in the unit square; the x axis is labelled from 0 to {@code xMax}. */
  static String chart(String title, String xLabel, String yLabel, List<double[][]> curves, boolean diagonal,
      List<Marker> markers, double xMax) {
    StringBuilder svg = new StringBuilder("<figure><figcaption>").append(title).append("</figcaption>")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"360\" height=\"360\" viewBox=\"-40 -10 360 360\">")
        .append("<rect x=\"0\" y=\"0\" width=\"300\" height=\"300\" fill=\"none\" stroke=\"#999\"/>");
    if (diagonal) {
      svg.append("<line x1=\"0\" y1=\"300\" x2=\"300\" y2=\"0\" stroke=\"#ddd\"/>");
    }
    for (int tick = 0; tick <= 4; tick++) {
      double value = tick / 4.0;
      svg.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"316\" font-size=\"10\" text-anchor=\"middle\">%s</text>", value * 300,
          xMax == 1 ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%,.0f", value * xMax)));
      svg.append(String.format(Locale.ROOT, "<text x=\"-6\" y=\"%.0f\" font-size=\"10\" text-anchor=\"end\">%.2f</text>", 303 - value * 300, value));
    }
    svg.append("<text x=\"150\" y=\"334\" font-size=\"11\" text-anchor=\"middle\">").append(xLabel).append("</text>")
        .append("<text x=\"-32\" y=\"150\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 -32 150)\">")
        .append(yLabel).append("</text>");
    String[] colours = {"#1f6fb2", "#999999"};
    for (int c = curves.size() - 1; c >= 0; c--) {
      svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colours[c]).append("\" points=\"");
      for (double[] point : curves.get(c)) {
        svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", point[0] * 300, 300 - point[1] * 300));
      }
      svg.append("\"/>");
    }
    for (Marker marker : markers) {
      double x = marker.x() * 300;
      double y = 300 - marker.y() * 300;
      svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\">"
          + "<title>%s</title></circle><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%s</text>", x, y, escape(marker.words()),
          x + 7, y - 6, marker.label()));
    }
    return svg.append("</svg></figure>").toString();
  }

  /** Score histograms of fraud and legitimate payments, each as the share of its class per bin. */
  static String histogram(double[] scores, boolean[] fraud, Thresholds thresholds) {
    double[] fraudShare = new double[BINS];
    double[] legitShare = new double[BINS];
    long frauds = 0;
    for (int i = 0; i < scores.length; i++) {
      int bin = Math.min(BINS - 1, (int) (scores[i] * BINS));
      if (fraud[i]) {
        fraudShare[bin]++;
        frauds++;
      } else {
        legitShare[bin]++;
      }
    }
    for (int b = 0; b < BINS; b++) {
      fraudShare[b] /= Math.max(1, frauds);
      legitShare[b] /= Math.max(1, scores.length - frauds);
    }
    double top = Math.max(Arrays.stream(fraudShare).max().orElse(1), Arrays.stream(legitShare).max().orElse(1));
    StringBuilder svg = new StringBuilder("<figure><figcaption>Scores: share of each class per bin (red fraud, green legitimate)")
        .append("</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"360\" height=\"360\" viewBox=\"-40 -10 360 360\">")
        .append("<rect x=\"0\" y=\"0\" width=\"300\" height=\"300\" fill=\"none\" stroke=\"#999\"/>");
    double width = 300.0 / BINS;
    for (int b = 0; b < BINS; b++) {
      double legitHeight = legitShare[b] / top * 300;
      double fraudHeight = fraudShare[b] / top * 300;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3a9d5d\" opacity=\"0.6\"/>",
          b * width, 300 - legitHeight, width / 2, legitHeight));
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c0392b\" opacity=\"0.7\"/>",
          b * width + width / 2, 300 - fraudHeight, width / 2, fraudHeight));
    }
    for (int tick = 0; tick <= 4; tick++) {
      svg.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"316\" font-size=\"10\" text-anchor=\"middle\">%.2f</text>", tick * 75.0, tick / 4.0));
    }
    svg.append("<text x=\"150\" y=\"334\" font-size=\"11\" text-anchor=\"middle\">fraud score</text>");
    double[] at = {thresholds.challenge(), thresholds.block()};
    String[] tiers = {"CHALLENGE", "BLOCK"};
    for (int t = 0; t < at.length; t++) {
      double x = Math.min(1, Math.max(0, at[t])) * 300;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"300\" stroke=\"#000\" stroke-dasharray=\"4 3\">"
          + "<title>%s at %.4f</title></line><text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s</text>", x, x, tiers[t], at[t], x + 3,
          12 + 12 * t, tiers[t]));
    }
    return svg.append("</svg></figure>").toString();
  }

  static Integer[] descending(double[] scores) {
    Integer[] order = Evaluation.ascending(scores);
    Collections.reverse(Arrays.asList(order));
    return order;
  }
}
