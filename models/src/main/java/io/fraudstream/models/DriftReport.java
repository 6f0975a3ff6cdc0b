package io.fraudstream.models;

import static io.fraudstream.models.ReportHtml.count;
import static io.fraudstream.models.ReportHtml.escape;
import static io.fraudstream.models.ReportHtml.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The drift of a dataset from a bundle's training data as an HTML page with its JSON beside it,
 * as {@code fraudstream monitor} writes it: the score's index and histogram then and now, every
 * feature's index, most drifted first, and the calibration per decile when the data is labelled.
 */
public final class DriftReport {

  private DriftReport() {}

  /** Writes the page to {@code html} and the JSON beside it; returns both paths. */
  public static List<Path> write(Path html, ModelBundle bundle, String window, DriftCounts counts, String command) throws IOException {
    DriftReference reference = counts.reference();
    ObjectNode json = ReportHtml.JSON.createObjectNode().put("model_version", bundle.version()).put("window", window)
        .put("payments", counts.payments()).put("command", command);
    StringBuilder page = ReportHtml.page("Drift of " + window + " from model " + bundle.version());
    page.append("<h1>Drift from the training data</h1><p>Model <code>").append(escape(bundle.version())).append("</code> against ")
        .append(escape(window)).append(", ").append(count(counts.payments())).append(" payments. Population stability index: under 0.1 ")
        .append("stable, 0.1 to 0.25 moving, over 0.25 shifted.</p><p><code>").append(escape(command)).append("</code></p>");
    if (counts.payments() < DriftCounts.MIN_PAYMENTS) {
      page.append("<p>Too few payments to measure drift: at least ").append(count(DriftCounts.MIN_PAYMENTS)).append(" are needed.</p>");
      return ReportHtml.write(html, page.append("</body></html>").toString(), json);
    }
    json.put("score_psi", counts.scorePsi());
    page.append("<h2>Score</h2><p>PSI ").append(format(counts.scorePsi())).append(", ").append(DriftCounts.verdict(counts.scorePsi()))
        .append(".</p><table><tr><th>score up to</th><th>held-out share</th><th>share now</th></tr>");
    long[] now = counts.scoreCounts();
    ArrayNode histogram = json.putArray("score_histogram");
    for (int bin = 0; bin < reference.score().bins(); bin++) {
      double upTo = bin < reference.score().cuts().length ? reference.score().cuts()[bin] : 1.0;
      double then = bin < reference.score().shares().length ? reference.score().shares()[bin] : 0;
      double share = (double) now[bin] / counts.payments();
      histogram.addObject().put("up_to", upTo).put("held_out", then).put("now", share);
      page.append(String.format(Locale.ROOT, "<tr><td>%.4f</td><td>%.3f</td><td>%.3f</td></tr>", upTo, then, share));
    }
    page.append("</table><h2>Features, most drifted first</h2><table><tr><th>feature</th><th>PSI</th><th></th></tr>");
    ArrayNode features = json.putArray("features");
    for (DriftCounts.Drift drift : counts.mostDrifted(Integer.MAX_VALUE)) {
      features.addObject().put("feature", drift.feature()).put("psi", drift.psi());
      page.append("<tr><td>").append(escape(drift.feature())).append("</td><td>").append(format(drift.psi())).append("</td><td>")
          .append(DriftCounts.verdict(drift.psi())).append("</td></tr>");
    }
    page.append("</table><h2>Calibration</h2>");
    ArrayNode calibration = json.putArray("calibration");
    page.append("<table><tr><th>decile of held-out scores</th><th>scores</th><th>held-out fraud rate</th><th>fraud rate now</th>")
        .append("<th>labelled now</th></tr>");
    for (int d = 0; d < reference.calibration().size(); d++) {
      DriftReference.Decile decile = reference.calibration().get(d);
      long[] labelled = counts.labelledIn(d);
      long n = labelled[0] + labelled[1];
      double rate = n == 0 ? Double.NaN : (double) labelled[1] / n;
      calibration.addObject().put("decile", d + 1).put("from", decile.from()).put("to", decile.to())
          .put("held_out_fraud_rate", decile.fraudRate()).put("fraud_rate_now", rate).put("labelled_now", n);
      page.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f – %.4f</td><td>%s</td><td>%s</td><td>%s</td></tr>", d + 1,
          decile.from(), decile.to(), format(decile.fraudRate()), format(rate), count(n)));
    }
    return ReportHtml.write(html, page.append("</table></body></html>").toString(), json);
  }
}
