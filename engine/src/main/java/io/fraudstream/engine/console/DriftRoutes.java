package io.fraudstream.engine.console;

import static io.fraudstream.engine.console.ConsoleHttp.JSON;
import static io.fraudstream.engine.console.ConsoleHttp.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.fraudstream.engine.console.ConsoleHttp.BadRequest;
import io.fraudstream.models.DriftCounts;
import io.fraudstream.models.DriftReference;
import java.io.IOException;
import java.time.Instant;

/**
 * {@code GET /api/drift}: for each model the console was given, how far the last day's decisions
 * have moved from its training data (the score's and the most drifted features' population
 * stability index, the score's histogram then and now) and its calibration on the labels read.
 */
final class DriftRoutes {

  private static final int FEATURES_SHOWN = 10;

  private final ConsoleView view;

  DriftRoutes(ConsoleView view) {
    this.view = view;
  }

  void answer(HttpExchange exchange, String method) throws IOException {
    if (!method.equals("GET")) {
      throw new BadRequest(405, "method not allowed here");
    }
    ObjectNode answer = JSON.createObjectNode();
    ArrayNode models = answer.putArray("models");
    for (ConsoleDrift.Report report : view.driftReports(Instant.now())) {
      DriftReference reference = report.bundle().reference();
      ObjectNode model = models.addObject().put("version", report.bundle().version()).put("provenance", report.bundle().provenanceId());
      DriftCounts day = report.day();
      long payments = day == null ? 0 : day.payments();
      model.put("payments", payments).put("minimumPayments", DriftCounts.MIN_PAYMENTS);
      if (day != null && payments >= DriftCounts.MIN_PAYMENTS) {
        model.put("scorePsi", day.scorePsi()).put("scoreVerdict", DriftCounts.verdict(day.scorePsi()));
        ArrayNode features = model.putArray("features");
        day.mostDrifted(FEATURES_SHOWN).forEach(drift -> features.addObject().put("feature", drift.feature()).put("psi", drift.psi())
            .put("verdict", DriftCounts.verdict(drift.psi())));
      }
      ArrayNode score = model.putArray("scoreHistogram");
      long[] now = day == null ? new long[reference.score().bins()] : day.scoreCounts();
      long total = 0;
      for (long count : now) {
        total += count;
      }
      for (int bin = 0; bin < reference.score().bins(); bin++) {
        score.addObject().put("upTo", bin < reference.score().cuts().length ? reference.score().cuts()[bin] : 1.0)
            .put("training", bin < reference.score().shares().length ? reference.score().shares()[bin] : 0)
            .put("today", total == 0 ? 0 : (double) now[bin] / total);
      }
      ArrayNode calibration = model.putArray("calibration");
      for (int d = 0; d < reference.calibration().size(); d++) {
        DriftReference.Decile decile = reference.calibration().get(d);
        long labelled = report.calibration()[d][0] + report.calibration()[d][1];
        ObjectNode row = calibration.addObject().put("decile", d + 1).put("from", decile.from()).put("to", decile.to())
            .put("heldOutFraudRate", decile.fraudRate()).put("labelled", labelled);
        if (labelled > 0) {
          row.put("observedFraudRate", (double) report.calibration()[d][1] / labelled);
        }
      }
    }
    json(exchange, 200, answer);
  }
}
