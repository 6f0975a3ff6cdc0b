package io.fraudstream.engine.backtest;

import static io.fraudstream.models.ReportHtml.count;
import static io.fraudstream.models.ReportHtml.escape;
import static io.fraudstream.models.ReportHtml.format;
import static io.fraudstream.models.ReportHtml.percent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.models.DailyTally;
import io.fraudstream.models.KindRecall;
import io.fraudstream.models.ReportHtml;
import io.fraudstream.models.TierCounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A backtest as an HTML page (the policies side by side, then each statement, then each day) and as JSON. */
public final class BacktestReport {

  private BacktestReport() {}

  /** Writes {@code <name>.html} and {@code <name>.json} beside it; returns both paths. */
  public static List<Path> write(Path html, Backtest.Result result, String command) throws IOException {
    return ReportHtml.write(html, html(result, command), json(result, command));
  }

  static ObjectNode json(Backtest.Result result, String command) {
    ObjectNode root = ReportHtml.JSON.createObjectNode();
    root.put("command", command);
    root.put("model_version", result.modelVersion());
    root.put("window", result.window());
    root.set("model_alone", ReportHtml.JSON.valueToTree(result.modelAlone()));
    root.set("policies", ReportHtml.JSON.valueToTree(result.policies()));
    return root;
  }

  static String html(Backtest.Result result, String command) {
    List<Backtest.PolicyResult> all = new ArrayList<>();
    all.add(result.modelAlone());
    all.addAll(result.policies());
    StringBuilder page = ReportHtml.page("fraudstream backtest of " + result.modelVersion());
    page.append("<h1>Backtest</h1><p><code>").append(escape(command)).append("</code></p><p>Model ")
        .append(escape(result.modelVersion())).append(", ").append(escape(result.window()))
        .append(". Each payment is judged on its own: a BLOCK does not carry over to the user's later payments here.</p>");

    page.append("<h2>Policies side by side</h2><table><tr><th>policy</th><th>rules version</th><th>payments</th><th>frauds</th>")
        .append("<th>alerts</th><th>alerts per day</th><th>precision</th><th>recall</th><th>blocked</th><th>BLOCK recall</th>")
        .append("<th>legitimate challenged</th><th>legitimate blocked</th></tr>");
    for (Backtest.PolicyResult policy : all) {
      TierCounts c = policy.total();
      page.append("<tr><td>").append(escape(policy.name())).append("</td><td>").append(escape(policy.rulesVersion())).append("</td><td>")
          .append(count(c.payments())).append("</td><td>").append(count(c.frauds())).append("</td><td>").append(count(c.flagged()))
          .append("</td><td>").append(String.format(Locale.ROOT, "%,.1f", policy.flaggedPerDay())).append("</td><td>")
          .append(format(c.precision())).append("</td><td>").append(format(c.recall())).append("</td><td>").append(count(c.blocked()))
          .append("</td><td>").append(format(c.blockRecall())).append("</td><td>").append(percent(c.legitChallengedShare()))
          .append("</td><td>").append(percent(c.legitBlockedShare())).append("</td></tr>");
    }
    page.append("</table>");

    if (!result.modelAlone().kinds().isEmpty()) {
      page.append("<h2>Recall per kind of fraud</h2><table><tr><th>kind</th><th>frauds</th>");
      for (Backtest.PolicyResult policy : all) {
        page.append("<th>").append(escape(policy.name())).append(": recall / BLOCK recall</th>");
      }
      page.append("</tr>");
      for (int k = 0; k < result.modelAlone().kinds().size(); k++) {
        KindRecall first = result.modelAlone().kinds().get(k);
        page.append("<tr><td>").append(escape(first.kind())).append("</td><td>").append(count(first.frauds())).append("</td>");
        for (Backtest.PolicyResult policy : all) {
          KindRecall kind = policy.kinds().get(k);
          page.append("<td>").append(format(kind.recall())).append(" / ").append(format(kind.blockRecall())).append("</td>");
        }
        page.append("</tr>");
      }
      page.append("</table>");
    }

    for (Backtest.PolicyResult policy : result.policies()) {
      page.append("<h2>").append(escape(policy.name())).append(": each statement</h2>")
          .append("<p>Matched: the condition held or the entity was listed. Alerts: the flags the statement raised where the engine's ")
          .append("precedence let it (on a block-listed payment only the block list, on an allow-listed one only limits). ")
          .append("Alone: flagged by this statement and by nothing else, the model included (for an allow line: payments it let ")
          .append("through that would otherwise have been flagged), and how many of those were fraud.</p>")
          .append("<table><tr><th>line</th><th>statement</th><th>matched</th><th>frauds matched</th><th>alerts</th>")
          .append("<th>alerts per day</th><th>precision</th><th>recall</th><th>legitimate challenged</th><th>legitimate blocked</th>")
          .append("<th>alone</th><th>frauds alone</th></tr>");
      for (Backtest.StatementResult statement : policy.statements()) {
        TierCounts hits = statement.hits();
        page.append("<tr><td>").append(statement.line()).append("</td><td><code>").append(escape(statement.statement()))
            .append("</code></td><td>").append(count(statement.matched())).append("</td><td>").append(count(statement.matchedFrauds()))
            .append("</td><td>").append(count(hits.flagged())).append("</td><td>")
            .append(String.format(Locale.ROOT, "%,.1f", statement.days().isEmpty() ? 0.0
                : (double) hits.flagged() / statement.days().size()))
            .append("</td><td>").append(format(hits.precision())).append("</td><td>").append(format(hits.recall())).append("</td><td>")
            .append(percent(hits.legitChallengedShare())).append("</td><td>").append(percent(hits.legitBlockedShare())).append("</td><td>")
            .append(count(statement.alone())).append("</td><td>").append(count(statement.aloneFrauds())).append("</td></tr>");
      }
      page.append("</table>");
    }

    for (Backtest.PolicyResult policy : all) {
      page.append("<h2>").append(escape(policy.name())).append(": per day</h2>").append(ReportHtml.dayTable(rows(policy.days())));
    }
    return page.append("</body></html>\n").toString();
  }

  private static List<ReportHtml.DayRow> rows(List<DailyTally.Day> days) {
    return days.stream().map(day -> new ReportHtml.DayRow(day.day(), day.counts(), Double.NaN)).toList();
  }
}
