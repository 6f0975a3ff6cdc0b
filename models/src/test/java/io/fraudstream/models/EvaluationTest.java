package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.Transaction;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvaluationTest {

  private static final Instant DAY_1 = Instant.parse("2018-08-08T10:00:00Z");

  private static Transaction payment(String user, Instant at, boolean fraud) {
    return Transaction.of(user + at, at, user, 10).toBuilder().label(fraud).build();
  }

  @Test
  void recallAtAFalsePositiveBudgetShouldStopBeforeTheBudgetIsExceeded() {
    // 100 legitimate payments scored 0.00..0.99, and 4 frauds at 0.995, 0.985, 0.5 and 0.1.
    List<Double> scores = new ArrayList<>();
    List<Boolean> fraud = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      scores.add(i / 100.0);
      fraud.add(false);
    }
    for (double s : new double[] {0.995, 0.985, 0.5, 0.1}) {
      scores.add(s);
      fraud.add(true);
    }
    double[] s = scores.stream().mapToDouble(Double::doubleValue).toArray();
    boolean[] f = new boolean[fraud.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = fraud.get(i);
    }
    // 1 % of 100 legitimate payments: one false positive allowed (0.99), which lets 0.995 and 0.985 through.
    assertEquals(0.5, Evaluation.recallAtFalsePositiveRate(s, f, 0.01));
    assertEquals(0.25, Evaluation.recallAtFalsePositiveRate(s, f, 0.0));
    assertEquals(0.75, Evaluation.recallAtFalsePositiveRate(s, f, 0.5));
  }

  @Test
  void cardPrecisionShouldCountCardsPerDayAndLeaveOutCardsAlreadyCaught() {
    Instant day2 = DAY_1.plusSeconds(86_400);
    List<Transaction> payments = List.of(
        payment("a", DAY_1, true), payment("a", DAY_1.plusSeconds(60), false), payment("b", DAY_1, false),
        payment("c", DAY_1, false),
        payment("a", day2, true), payment("b", day2, false), payment("c", day2, true));
    double[] scores = {0.9, 0.1, 0.8, 0.2, 0.95, 0.7, 0.3};
    // Day 1, top 2 cards: a (0.9, fraud) and b (0.8): 1/2. Day 2: a was caught on day 1 and is
    // left out; top 2 of b (0.7) and c (0.3, fraud): 1/2.
    assertEquals(0.5, Evaluation.cardPrecisionAtK(payments, scores, 2));
    assertEquals((1 / 3.0 + 1 / 3.0) / 2, Evaluation.cardPrecisionAtK(payments, scores, 3), 1e-12);
  }

  @Test
  void capacityThresholdsShouldFlagAtMostTheReviewsOnEveryDayEvenTheBusiestOne() {
    int days = 5;
    int perDay = 200;
    double[] scores = new double[days * perDay];
    boolean[] fraud = new boolean[scores.length];
    long[] day = new long[scores.length];
    Random random = new Random(3);
    for (int i = 0; i < scores.length; i++) {
      day[i] = 17_000 + i / perDay;
      fraud[i] = i % 50 == 0;
      // Day 17,002 is an attack: 60 of its payments score high, far beyond a day's 10 reviews.
      boolean attack = day[i] == 17_002 && i % perDay < 60;
      scores[i] = attack ? 0.8 + random.nextDouble() / 5 : fraud[i] ? 0.5 + random.nextDouble() / 2 : random.nextDouble() * 0.7;
    }
    Thresholds thresholds = Thresholds.tuneForCapacity(scores, fraud, day, 10, 0.9, 5);
    int[] flagged = new int[days];
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] >= thresholds.challenge()) {
        flagged[(int) (day[i] - 17_000)]++;
      }
    }
    for (int d = 0; d < days; d++) {
      assertTrue(flagged[d] <= 10, "day " + d + " flagged " + flagged[d] + " of 10 reviews: " + Arrays.toString(flagged));
    }
    assertEquals(10, flagged[2], "the busiest day uses its whole capacity: " + Arrays.toString(flagged));
    assertThrows(IllegalArgumentException.class, () -> Thresholds.tuneForCapacity(scores, fraud, day, 0, 0.9, 5));
  }

  @Test
  void timeSplitsShouldNeverOverlapTheTestWindow() {
    TimeSplit split = new TimeSplit(LocalDate.parse("2018-07-25"), 7, 7, 7);
    assertEquals("train 2018-07-25 .. 2018-07-31, gap 7 days, test 2018-08-08 .. 2018-08-14", split.toString());
    assertEquals(Instant.parse("2018-08-08T00:00:00Z"), split.testFrom());
    assertEquals(Instant.parse("2018-08-15T00:00:00Z"), split.testUntil());
    TimeSplit validation = split.validation();
    assertEquals(split.testFrom(), validation.testUntil(), "the validation test window ends where the test begins");
    assertEquals(LocalDate.parse("2018-07-18"), validation.trainStart());

    FeatureVector zero = new FeatureVector(new double[Feature.count()]);
    List<FeatureRow> rows = List.of(new FeatureRow(payment("a", Instant.parse("2018-07-31T23:59:59Z"), false), zero),
        new FeatureRow(payment("a", Instant.parse("2018-08-01T00:00:00Z"), false), zero),
        new FeatureRow(payment("a", Instant.parse("2018-08-14T23:59:59Z"), true), zero));
    assertEquals(1, split.training(rows).size());
    assertEquals(1, split.test(rows).size());
    assertEquals(LocalDate.parse("2018-07-25"), TimeSplit.latest(rows, 7, 7, 7).trainStart());
  }

  @Test
  void trainerSpecsShouldParseAndSayWhatIsWrong() {
    TrainerSpec spec = TrainerSpec.parse("xgboost:trees=200,depth=4");
    assertEquals("xgboost:colsample=0.8,depth=4,eta=0.1,lambda=1,min-weight=1,subsample=0.8,threads=2,trees=200", spec.toString());
    assertEquals(spec, TrainerSpec.parse(spec.toString()));
    assertEquals(6, spec.grid().size());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainerSpec.parse("svm")).getMessage().contains("logistic, random-forest or xgboost"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainerSpec.parse("xgboost:leaves=3")).getMessage().contains("no parameter 'leaves'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainerSpec.parse("logistic:rate=-1")).getMessage().contains("positive"));
    assertEquals(4, TrainerSpec.parse("logistic:bins=4").bins());
    assertEquals(1, TrainerSpec.parse("logistic").bins());
    assertEquals(1, TrainerSpec.parse("xgboost").bins(), "trees cut the values themselves");
    for (String bad : List.of("logistic:bins=2.5", "logistic:bins=65")) {
      assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainerSpec.parse(bad)).getMessage().contains("whole number from 1 to 64"), bad);
    }
    assertEquals(List.of(1, 1, 1, 4, 4, 4), TrainerSpec.parse("logistic").grid().stream().map(TrainerSpec::bins).toList());
  }
}
