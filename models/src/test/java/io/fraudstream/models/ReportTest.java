package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReportTest {

  @Test
  void shouldPlaceAThresholdWhereItsFlaggedPaymentsPutIt() {
    double[] scores = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05};
    boolean[] fraud = {true, true, false, true, false, false, false, false, true, false};
    // At 0.6: four flagged, three of them fraud, of four frauds; one of six legitimate payments.
    ReportCharts.OperatingPoint point = ReportCharts.operatingPoint(scores, fraud, 0.6);
    assertEquals(0.75, point.recall(), 1e-12);
    assertEquals(0.75, point.precision(), 1e-12);
    assertEquals(1.0 / 6, point.falsePositiveRate(), 1e-12);

    ReportCharts.OperatingPoint none = ReportCharts.operatingPoint(scores, fraud, 0.95);
    assertEquals(0, none.recall());
    assertEquals(1, none.precision(), "nothing flagged is no false alarm");
    assertEquals(0, none.falsePositiveRate());
  }
}
