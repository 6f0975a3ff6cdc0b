package io.fraudstream.models;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.FeatureMap;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.MutableFeatureMap;
import org.tribuo.MutableOutputInfo;
import org.tribuo.OutputInfo;
import org.tribuo.RealInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.protos.core.DatasetProto;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.DatasetProvenance;

/**
 * A Tribuo dataset held as one primitive matrix: a float per feature and row, a label and a
 * weight per row, instead of an example object per row.
 *
 * <p>Tribuo's own datasets keep an {@link ArrayExample} per row (names and doubles), and its
 * XGBoost trainer copies them again into boxed lists on the way to XGBoost; on the handbook's 169
 * training days that took over 7 GB of heap. Here {@link DenseXGBoostTrainer} hands the matrix
 * to XGBoost as it is. Other Tribuo trainers still work: they see each row as an
 * {@link ArrayExample} made when they ask for it. Columns are in the order of the feature ids
 * Tribuo assigns, so that the matrix is the one Tribuo's conversion would have built.
 */
final class FeatureMatrixDataset extends Dataset<Label> {

  private static final long serialVersionUID = 1L;

  private final ImmutableFeatureMap featureIds;
  private final ImmutableOutputInfo<Label> labelIds;
  private final String[] namesById;
  private final int rows;
  private final float[] values;
  private final boolean[] fraud;
  private final float fraudWeight;
  private final Label fraudLabel;
  private final Label legitLabel;

  /**
   * @param values row-major, {@code rows * names.length} values, columns in the order of
   *     {@code names}; the dataset takes the array over and reorders its columns in place, so
   *     that the matrix is never held twice
   */
  FeatureMatrixDataset(DataProvenance source, List<String> names, float[] values, boolean[] fraud, float fraudWeight) {
    super(source, new LabelFactory());
    int width = names.size();
    if (values.length != (long) fraud.length * width) {
      throw new IllegalArgumentException(values.length + " values do not make " + fraud.length + " rows of " + width);
    }
    this.rows = fraud.length;
    this.fraud = fraud;
    this.fraudWeight = fraudWeight;
    this.fraudLabel = new Label(ModelScorer.FRAUD);
    this.legitLabel = new Label(ModelScorer.LEGIT);
    this.featureIds = new ImmutableFeatureMap(observedFeatures(names, values, rows));
    MutableOutputInfo<Label> labels = outputFactory.generateInfo();
    for (boolean isFraud : fraud) {
      labels.observe(isFraud ? fraudLabel : legitLabel);
    }
    this.labelIds = labels.generateImmutableOutputInfo();
    this.namesById = new String[width];
    int[] columnOfId = new int[width];
    for (int column = 0; column < width; column++) {
      int id = featureIds.getID(names.get(column));
      namesById[id] = names.get(column);
      columnOfId[id] = column;
    }
    this.values = inIdOrder(values, width, columnOfId);
  }

  /** Each column's count, range, mean and sum of squared deviations, as Tribuo would observe them. */
  private static FeatureMap observedFeatures(List<String> names, float[] values, int rows) {
    MutableFeatureMap map = new MutableFeatureMap();
    int width = names.size();
    for (int column = 0; column < width; column++) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double mean = 0;
      double squares = 0;
      for (int row = 0; row < rows; row++) {
        double value = values[row * width + column];
        min = Math.min(min, value);
        max = Math.max(max, value);
        double delta = value - mean;
        mean += delta / (row + 1);
        squares += delta * (value - mean);
      }
      map.put(new RealInfo(names.get(column), rows, max, min, mean, squares));
    }
    return map;
  }

  /** The matrix with its columns permuted into id order, in place when it already is. */
  private static float[] inIdOrder(float[] values, int width, int[] columnOfId) {
    boolean ordered = true;
    for (int id = 0; id < width; id++) {
      ordered &= columnOfId[id] == id;
    }
    if (ordered) {
      return values;
    }
    float[] row = new float[width];
    for (int start = 0; start < values.length; start += width) {
      System.arraycopy(values, start, row, 0, width);
      for (int id = 0; id < width; id++) {
        values[start + id] = row[columnOfId[id]];
      }
    }
    return values;
  }

  /** The matrix as XGBoost's, with each row's label id and weight; the caller disposes of it. */
  DMatrix toDMatrix() throws XGBoostError {
    DMatrix matrix = new DMatrix(values, rows, namesById.length, Float.NaN);
    float[] labelIdOfRow = new float[rows];
    float[] weights = new float[rows];
    float fraudId = labelIds.getID(fraudLabel);
    float legitId = labelIds.getID(legitLabel);
    for (int row = 0; row < rows; row++) {
      labelIdOfRow[row] = fraud[row] ? fraudId : legitId;
      weights[row] = fraud[row] ? fraudWeight : 1;
    }
    matrix.setLabel(labelIdOfRow);
    matrix.setWeight(weights);
    return matrix;
  }

  @Override
  public int size() {
    return rows;
  }

  @Override
  public Example<Label> getExample(int index) {
    if (index < 0 || index >= rows) {
      throw new IndexOutOfBoundsException("row " + index + " of " + rows);
    }
    int width = namesById.length;
    double[] row = new double[width];
    for (int id = 0; id < width; id++) {
      row[id] = values[index * width + id];
    }
    ArrayExample<Label> example = new ArrayExample<>(fraud[index] ? fraudLabel : legitLabel, namesById, row);
    if (fraud[index]) {
      example.setWeight(fraudWeight);
    }
    return example;
  }

  @Override
  public List<Example<Label>> getData() {
    return new AbstractList<>() {
      @Override
      public Example<Label> get(int index) {
        return getExample(index);
      }

      @Override
      public int size() {
        return rows;
      }
    };
  }

  @Override
  public synchronized Iterator<Example<Label>> iterator() {
    return getData().iterator();
  }

  @Override
  public synchronized void shuffle(boolean shuffle) {
    throw new UnsupportedOperationException("a feature matrix keeps its rows in time order");
  }

  @Override
  public Set<Label> getOutputs() {
    return labelIds.getDomain();
  }

  @Override
  public ImmutableOutputInfo<Label> getOutputIDInfo() {
    return labelIds;
  }

  @Override
  public OutputInfo<Label> getOutputInfo() {
    return labelIds;
  }

  @Override
  public ImmutableFeatureMap getFeatureIDMap() {
    return featureIds;
  }

  @Override
  public FeatureMap getFeatureMap() {
    return featureIds;
  }

  @Override
  public DatasetProvenance getProvenance() {
    return new DatasetProvenance(sourceProvenance, new ListProvenance<>(), this);
  }

  @Override
  public DatasetProto serialize() {
    throw new UnsupportedOperationException("a feature matrix is built for training and never stored; the bundle stores the model");
  }
}
