package io.fraudstream.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fraudstream.models.data.FraudKinds;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recall for one kind of fraud (the dataset's {@code fraud.type}): how many frauds of the kind
 * there were, and how many were flagged and blocked. It shows which pattern limits a model.
 */
public record KindRecall(String kind, long frauds, long flagged, long blocked) {

  @JsonProperty("recall")
  public double recall() {
    return frauds == 0 ? Double.NaN : (double) flagged / frauds;
  }

  @JsonProperty("blockRecall")
  public double blockRecall() {
    return frauds == 0 ? Double.NaN : (double) blocked / frauds;
  }

  /**
   * Recall per kind over {@code rows}; {@code flagged[i]} and {@code blocked[i]} say what the
   * policy did to row {@code i}. Empty when the dataset names no kinds.
   */
  public static List<KindRecall> of(List<FeatureRow> rows, boolean[] flagged, boolean[] blocked, FraudKinds kinds) {
    if (kinds.isEmpty()) {
      return List.of();
    }
    Map<String, long[]> counts = new TreeMap<>();
    for (int i = 0; i < rows.size(); i++) {
      FeatureRow row = rows.get(i);
      if (row.fraud()) {
        long[] kind = counts.computeIfAbsent(kinds.of(row.transaction().id()), k -> new long[3]);
        kind[0]++;
        kind[1] += flagged[i] ? 1 : 0;
        kind[2] += blocked[i] ? 1 : 0;
      }
    }
    return counts.entrySet().stream().map(e -> new KindRecall(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2])).toList();
  }
}
