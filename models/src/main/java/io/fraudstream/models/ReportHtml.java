package io.fraudstream.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/**
 * The pieces the reports (training, evaluation, backtest) are made of, so that they read alike:
 * the page's head, numbers as people write them, the per-day table, and the HTML page written
 * with its JSON beside it.
 */
public final class ReportHtml {

  /**
   * The reports' JSON: indented, days as {@code 2024-01-31}, and undefined metrics (a tier that
   * flagged nothing has no precision) as "NaN", Jackson's default.
   */
  public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private ReportHtml() {}

  /** Writes the page to {@code html} and the JSON to the {@code .json} beside it; returns both paths. */
  public static List<Path> write(Path html, String page, JsonNode json) throws IOException {
    Path parent = html.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path jsonFile = parent.resolve(html.getFileName().toString().replaceFirst("\\.html?$", "") + ".json");
    Files.writeString(jsonFile, JSON.writeValueAsString(json), StandardCharsets.UTF_8);
    Files.writeString(html, page, StandardCharsets.UTF_8);
    return List.of(html, jsonFile);
  }

  /** The page up to and including {@code <body>}, with the reports' shared style. */
  public static StringBuilder page(String title) {
    return new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
        .append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
        .append("th:first-child,td:first-child{text-align:left}figure{display:inline-block;margin:0 1em 1em 0}")
        .append("code{background:#f4f4f4;padding:2px 4px}</style></head><body>");
  }

  /** One row of a per-day table; an average precision of NaN leaves its column out. */
  public record DayRow(LocalDate day, TierCounts counts, double averagePrecision) {}

  /** Days in rows: payments, frauds, alerts (CHALLENGE or BLOCK), their precision and recall, blocks, and the friction on good users. */
  public static String dayTable(List<DayRow> days) {
    boolean precisionColumn = days.stream().anyMatch(day -> !Double.isNaN(day.averagePrecision()));
    StringBuilder table = new StringBuilder("<table><tr><th>day</th><th>payments</th><th>frauds</th>")
        .append(precisionColumn ? "<th>average precision</th>" : "")
        .append("<th>alerts</th><th>precision</th><th>recall</th><th>blocked</th><th>BLOCK recall</th>")
        .append("<th>legitimate challenged</th><th>legitimate blocked</th></tr>");
    for (DayRow day : days) {
      TierCounts c = day.counts();
      table.append("<tr><td>").append(day.day()).append("</td><td>").append(count(c.payments())).append("</td><td>")
          .append(count(c.frauds())).append("</td><td>");
      if (precisionColumn) {
        table.append(format(day.averagePrecision())).append("</td><td>");
      }
      table.append(count(c.flagged())).append("</td><td>").append(format(c.precision())).append("</td><td>")
          .append(format(c.recall())).append("</td><td>").append(count(c.blocked())).append("</td><td>")
          .append(format(c.blockRecall())).append("</td><td>").append(percent(c.legitChallengedShare())).append("</td><td>")
          .append(percent(c.legitBlockedShare())).append("</td></tr>");
    }
    return table.append("</table>").toString();
  }

  public static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** A share as a percentage with three decimals, or "–" when undefined. */
  public static String percent(double value) {
    return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.3f %%", 100 * value);
  }

  /** A metric with three decimals, or "–" when undefined. */
  public static String format(double value) {
    return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.3f", value);
  }

  public static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
