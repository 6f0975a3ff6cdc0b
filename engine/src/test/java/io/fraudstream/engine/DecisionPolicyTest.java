package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionPolicyTest {

  private static FeatureVector vector(Feature feature, double value, Feature other, double otherValue) {
    double[] values = new double[Feature.count()];
    values[feature.ordinal()] = value;
    values[other.ordinal()] = otherValue;
    return new FeatureVector(values);
  }

  private static FeatureVector withValue(FeatureVector vector, Feature feature, double value) {
    double[] values = vector.toArray();
    values[feature.ordinal()] = value;
    return new FeatureVector(values);
  }

  @Test
  void shouldRankReasonsByContributionAndSkipIndicatorsThatAreOff() {
    FeatureVector features = vector(Feature.TX_COUNT_1H, 14, Feature.NEW_DEVICE, 0);
    features = withValue(features, Feature.NIGHT, 1);
    double[] contributions = new double[Feature.count()];
    contributions[Feature.AMOUNT_TO_MEAN_RATIO.ordinal()] = 0.5;   // ratio 0: not unusual, no reason
    contributions[Feature.AMOUNT_MEAN.ordinal()] = 5.0;            // context, never a reason
    contributions[Feature.TX_COUNT_1H.ordinal()] = 2.0;
    contributions[Feature.NEW_DEVICE.ordinal()] = 3.0;   // off: a device seen before cannot be a reason
    contributions[Feature.HOUR_OF_DAY.ordinal()] = 1.5;             // context, never a reason
    contributions[Feature.NIGHT.ordinal()] = 1.0;
    contributions[Feature.AMOUNT.ordinal()] = 0.1;
    contributions[Feature.AMOUNT_SUM_1H.ordinal()] = -4.0;
    assertEquals(List.of("14 payments in the last hour", "at night", "amount 0.00"),
        DecisionPolicy.reasons(features, contributions));
  }

  @Test
  void shouldGiveNoReasonsWhenNothingPushedTheScoreUp() {
    assertEquals(List.of(), DecisionPolicy.reasons(vector(Feature.AMOUNT, 3, Feature.NEW_DEVICE, 1), new double[Feature.count()]));
  }
}
