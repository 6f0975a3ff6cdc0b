package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Feature;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.xgboost.XGBoostClassificationTrainer;
import org.tribuo.common.xgboost.XGBoostTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * The primitive matrix must train the very models Tribuo's own dataset of examples trains: the
 * same XGBoost model through the direct path, and the same logistic regression and random forest
 * through the examples it makes on demand.
 */
class FeatureMatrixDatasetTest {

  private static final float FRAUD_WEIGHT = 5;
  private static List<FeatureRow> rows;
  private static float[] values;
  private static boolean[] fraud;

  @BeforeAll
  static void replay() {
    rows = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 20, 5)),
        "matrix-test-secret".getBytes(StandardCharsets.UTF_8));
    int width = Feature.count();
    values = new float[rows.size() * width];
    fraud = new boolean[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < width; c++) {
        values[r * width + c] = (float) rows.get(r).features().get(c);
      }
      fraud[r] = rows.get(r).fraud();
    }
    assertTrue(rows.size() > 10_000 && countFraud() > 20, rows.size() + " rows, " + countFraud() + " frauds");
  }

  private static int countFraud() {
    int count = 0;
    for (boolean isFraud : fraud) {
      count += isFraud ? 1 : 0;
    }
    return count;
  }

  private static SimpleDataSourceProvenance source() {
    return new SimpleDataSourceProvenance("synthetic seed 5", OffsetDateTime.now(ZoneOffset.UTC), new LabelFactory());
  }

  /** A fresh matrix each time: the dataset reorders the columns of the array it is given. */
  private static FeatureMatrixDataset matrix() {
    return new FeatureMatrixDataset(source(), Feature.names(), values.clone(), fraud.clone(), FRAUD_WEIGHT);
  }

  /** Tribuo's own dataset: an example per row, the feature values as the matrix holds them. */
  private static MutableDataset<Label> examples() {
    LabelFactory labels = new LabelFactory();
    MutableDataset<Label> dataset = new MutableDataset<>(source(), labels);
    String[] names = Feature.names().toArray(String[]::new);
    int width = names.length;
    for (int r = 0; r < fraud.length; r++) {
      double[] row = new double[width];
      for (int c = 0; c < width; c++) {
        row[c] = values[r * width + c];
      }
      ArrayExample<Label> example = new ArrayExample<>(new Label(fraud[r] ? ModelScorer.FRAUD : ModelScorer.LEGIT), names, row);
      if (fraud[r]) {
        example.setWeight(FRAUD_WEIGHT);
      }
      dataset.add(example);
    }
    return dataset;
  }

  /** The largest difference between two models' fraud probabilities over all the rows. */
  private static double largestDifference(Model<Label> left, Model<Label> right) {
    List<Example<Label>> examples = examples().getData();
    List<Prediction<Label>> leftScores = left.predict(examples);
    List<Prediction<Label>> rightScores = right.predict(examples);
    double largest = 0;
    for (int i = 0; i < examples.size(); i++) {
      largest = Math.max(largest, Math.abs(leftScores.get(i).getOutputScores().get(ModelScorer.FRAUD).getScore()
          - rightScores.get(i).getOutputScores().get(ModelScorer.FRAUD).getScore()));
    }
    return largest;
  }

  @Test
  void directXGBoostShouldTrainTheModelTribuosConversionTrains() {
    Model<Label> direct = new DenseXGBoostTrainer(20, 0.1, 4, 1, 0.8, 0.8, 1, 2, 7).train(matrix());
    Model<Label> tribuo = new XGBoostClassificationTrainer(XGBoostTrainer.BoosterType.GBTREE, XGBoostTrainer.TreeMethod.HIST, 20, 0.1,
        0, 4, 1, 0.8, 0.8, 1, 0, 2, XGBoostTrainer.LoggingVerbosity.SILENT, 7).train(examples());
    assertEquals(0, largestDifference(direct, tribuo), 1e-6);
    Model<Label> throughExamples = new DenseXGBoostTrainer(20, 0.1, 4, 1, 0.8, 0.8, 1, 2, 7).train(examples());
    assertEquals(0, largestDifference(throughExamples, tribuo), 1e-6, "any other dataset takes Tribuo's conversion");
    Model<Label> unweighted = new DenseXGBoostTrainer(20, 0.1, 4, 1, 0.8, 0.8, 1, 2, 7)
        .train(new FeatureMatrixDataset(source(), Feature.names(), values.clone(), fraud.clone(), 1));
    assertNotEquals(0, largestDifference(unweighted, tribuo), 1e-3, "the fraud weight must reach XGBoost");
  }

  @Test
  void otherTrainersShouldSeeTheSameExamples() {
    for (String trainer : List.of("logistic", "random-forest:trees=5,depth=5")) {
      Trainer<Label> build = TrainerSpec.parse(trainer).build(11);
      Model<Label> fromMatrix = build.train(matrix());
      Model<Label> fromExamples = TrainerSpec.parse(trainer).build(11).train(examples());
      assertEquals(0, largestDifference(fromMatrix, fromExamples), 1e-9, trainer);
    }
  }

  @Test
  void valueRangesShouldTrainTheLogisticRegressionThatExamplesWithIndicatorsTrain() {
    int width = Feature.count();
    List<FeatureBins> bins = new ArrayList<>();
    double[] column = new double[fraud.length];
    for (int c = 0; c < width; c++) {
      for (int r = 0; r < fraud.length; r++) {
        column[r] = values[r * width + c];
      }
      bins.add(FeatureBins.learn(column, fraud, FRAUD_WEIGHT, 4));
    }
    byte[] binOfCell = new byte[values.length];
    for (int cell = 0; cell < values.length; cell++) {
      binOfCell[cell] = (byte) bins.get(cell % width).binOf(values[cell]);
    }
    assertTrue(bins.stream().filter(featureBins -> featureBins.count() > 1).count() >= 10, "most features split: " + bins);
    // Tribuo's own dataset of the same rows: each value, and a 1 for the indicator of its range.
    MutableDataset<Label> examples = new MutableDataset<>(source(), new LabelFactory());
    for (int r = 0; r < fraud.length; r++) {
      ArrayExample<Label> example = new ArrayExample<>(new Label(fraud[r] ? ModelScorer.FRAUD : ModelScorer.LEGIT));
      for (int c = 0; c < width; c++) {
        String name = Feature.names().get(c);
        example.add(name, values[r * width + c]);
        if (bins.get(c).count() > 1) {
          example.add(FeatureBins.indicatorName(name, binOfCell[r * width + c]), 1);
        }
      }
      if (fraud[r]) {
        example.setWeight(FRAUD_WEIGHT);
      }
      examples.add(example);
    }
    FeatureMatrixDataset ranged = new FeatureMatrixDataset(source(), Feature.names(), values.clone(), fraud.clone(), FRAUD_WEIGHT,
        binOfCell.clone(), bins);
    assertEquals(examples.getFeatureMap().size(), ranged.getFeatureMap().size(), "the same values and indicators");
    Model<Label> fromMatrix = TrainerSpec.parse("logistic").build(11).train(ranged);
    Model<Label> fromExamples = TrainerSpec.parse("logistic").build(11).train(examples);
    List<Prediction<Label>> matrixScores = fromMatrix.predict(examples.getData());
    List<Prediction<Label>> exampleScores = fromExamples.predict(examples.getData());
    Model<Label> withoutRanges = TrainerSpec.parse("logistic").build(11).train(matrix());
    List<Prediction<Label>> plainScores = withoutRanges.predict(examples.getData());
    double largest = 0;
    double fromPlain = 0;
    for (int i = 0; i < matrixScores.size(); i++) {
      double score = matrixScores.get(i).getOutputScores().get(ModelScorer.FRAUD).getScore();
      largest = Math.max(largest, Math.abs(score - exampleScores.get(i).getOutputScores().get(ModelScorer.FRAUD).getScore()));
      fromPlain = Math.max(fromPlain, Math.abs(score - plainScores.get(i).getOutputScores().get(ModelScorer.FRAUD).getScore()));
    }
    assertEquals(0, largest, 1e-9);
    assertTrue(fromPlain > 1e-3, "the indicators must reach the model");
    assertThrows(IllegalStateException.class, ranged::toDMatrix, "XGBoost is given the values alone");
  }

  @Test
  void provenanceShouldDescribeTheMatrix() {
    Model<Label> model = new DenseXGBoostTrainer(5, 0.1, 3, 1, 0.8, 0.8, 1, 2, 7).train(matrix());
    DatasetProvenance dataset = model.getProvenance().getDatasetProvenance();
    assertEquals(rows.size(), dataset.getNumExamples());
    assertEquals(Feature.count(), dataset.getNumFeatures());
    assertEquals(2, dataset.getNumOutputs());
    assertEquals(FeatureMatrixDataset.class.getName(), dataset.getClassName());
    assertTrue(dataset.getSourceProvenance().toString().contains("synthetic seed 5"), dataset.getSourceProvenance().toString());
    assertEquals(DenseXGBoostTrainer.class.getName(), model.getProvenance().getTrainerProvenance().getClassName());
    assertTrue(model.getProvenance().getTrainerProvenance().toString().contains("numTrees"), "the trainer's parameters are recorded");
  }

  @Test
  void mismatchedShapesShouldBeRefused() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new FeatureMatrixDataset(source(), Feature.names(), new float[Feature.count() * 3 + 1], new boolean[3], 1));
    assertTrue(error.getMessage().contains("do not make 3 rows"), error.getMessage());
  }
}
