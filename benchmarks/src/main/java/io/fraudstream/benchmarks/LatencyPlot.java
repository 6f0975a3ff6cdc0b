package io.fraudstream.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * Draws the benchmark's latencies against load as a small SVG: p99 of the engine and of the
 * pass-through under each guarantee (solid), and the engine's p50 (dashed), on a log scale.
 */
final class LatencyPlot {

  private static final int WIDTH = 640;
  private static final int HEIGHT = 400;
  private static final int LEFT = 70;
  private static final int RIGHT = 180;
  private static final int TOP = 30;
  private static final int BOTTOM = 50;
  private static final double MIN_MS = 1;
  private static final double MAX_MS = 10_000;

  private record Series(String app, String guarantee, boolean p50, String colour, String label) {}

  private static final List<Series> SERIES = List.of(
      new Series("engine", "exactly_once_v2", false, "#c0392b", "engine p99, EOS"),
      new Series("engine", "exactly_once_v2", true, "#c0392b", "engine p50, EOS"),
      new Series("pass-through", "exactly_once_v2", false, "#e6a19a", "pass-through p99, EOS"),
      new Series("engine", "at_least_once", false, "#2471a3", "engine p99, ALO"),
      new Series("engine", "at_least_once", true, "#2471a3", "engine p50, ALO"),
      new Series("pass-through", "at_least_once", false, "#95bfe0", "pass-through p99, ALO"));

  private LatencyPlot() {}

  static String svg(List<EndToEndBenchmark.Latency> latencies) {
    double maxRate = latencies.stream().mapToDouble(EndToEndBenchmark.Latency::rate).max().orElse(1) * 1.1;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        WIDTH, HEIGHT));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">Send to readable (read_committed) against load</text>%n", LEFT));
    for (double ms = MIN_MS; ms <= MAX_MS; ms *= 10) {
      double y = y(ms);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, WIDTH - RIGHT, y));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%,.0f ms</text>%n", LEFT - 6, y + 4, ms));
    }
    for (int i = 0; i <= 4; i++) {
      double rate = maxRate * i / 4;
      double x = x(rate, maxRate);
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%,.0f</text>%n", x, HEIGHT - BOTTOM + 18, rate));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">payments per second</text>%n",
        (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 12));
    int legend = TOP + 10;
    for (Series series : SERIES) {
      StringBuilder points = new StringBuilder();
      for (EndToEndBenchmark.Latency point : latencies) {
        if (point.app().equals(series.app()) && point.guarantee().equals(series.guarantee())) {
          double ms = Math.max(MIN_MS, Math.min(MAX_MS, series.p50() ? point.p50Ms() : point.p99Ms()));
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(point.rate(), maxRate), y(ms)));
        }
      }
      String dash = series.p50() ? " stroke-dasharray=\"5,4\"" : "";
      svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
          points.toString().trim(), series.colour(), dash));
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
          WIDTH - RIGHT + 10, legend, WIDTH - RIGHT + 34, legend, series.colour(), dash));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 40, legend + 4, series.label()));
      legend += 18;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static double x(double rate, double maxRate) {
    return LEFT + rate / maxRate * (WIDTH - LEFT - RIGHT);
  }

  private static double y(double ms) {
    double share = (Math.log10(ms) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS));
    return HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM);
  }
}
