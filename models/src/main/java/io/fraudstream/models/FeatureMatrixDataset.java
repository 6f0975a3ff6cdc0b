package io.fraudstream.models;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
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
 * {@link ArrayExample} made when they ask for it. Columns are in their names' order, the order
 * of the feature ids Tribuo assigns, so that the matrix is the one Tribuo's conversion would have
 * built.
 */
final class FeatureMatrixDataset extends Dataset<Label> {

  private static final long serialVersionUID = 1L;

  private final ImmutableFeatureMap featureIds;
  private final ImmutableOutputInfo<Label> labelIds;
  /** The columns' names in alphabetical order, which is the order of the matrix's columns. */
  private final String[] columnNames;
  private final int rows;
  private final float[] values;
  private final boolean[] fraud;
  private final float fraudWeight;
  private final Label fraudLabel;
  private final Label legitLabel;
  /** Each cell's value range, row-major in the columns' alphabetical order; null without ranges. */
  private final byte[] binOfCell;
  /** Per column, in alphabetical order, its ranges' indicator names, or null for a column of one range. */
  private final String[][] indicatorNames;
  private final int indicators;

  /**
   * @param values row-major, {@code rows * names.length} values, columns in the order of
   *     {@code names}; the dataset takes the array over and reorders its columns in place, so
   *     that the matrix is never held twice
   */
  FeatureMatrixDataset(DataProvenance source, List<String> names, float[] values, boolean[] fraud, float fraudWeight) {
    this(source, names, values, fraud, fraudWeight, null, null);
  }

  /**
   * A matrix whose rows also say which value range each value falls in, for a linear model over
   * ranges (see {@link FeatureBins}): each row's example holds, beside the values, a 1 for the
   * indicator of each column's range. Such a matrix is not handed to XGBoost.
   *
   * @param binOfCell row-major like {@code values}, each cell's range, or null without ranges
   * @param bins each column's ranges, in the order of {@code names}, or null without ranges
   */
  FeatureMatrixDataset(DataProvenance source, List<String> names, float[] values, boolean[] fraud, float fraudWeight,
      byte[] binOfCell, List<FeatureBins> bins) {
    super(source, new LabelFactory());
    int width = names.size();
    if (values.length != (long) fraud.length * width) {
      throw new IllegalArgumentException(values.length + " values do not make " + fraud.length + " rows of " + width);
    }
    if ((binOfCell == null) != (bins == null) || (binOfCell != null && (binOfCell.length != values.length || bins.size() != width))) {
      throw new IllegalArgumentException("value ranges need a range per cell and ranges per column");
    }
    this.rows = fraud.length;
    this.fraud = fraud;
    this.fraudWeight = fraudWeight;
    this.fraudLabel = new Label(ModelScorer.FRAUD);
    this.legitLabel = new Label(ModelScorer.LEGIT);
    int[] columnOfPosition = IntStream.range(0, width).boxed().sorted(Comparator.comparing(names::get)).mapToInt(Integer::intValue).toArray();
    this.columnNames = Arrays.stream(columnOfPosition).mapToObj(names::get).toArray(String[]::new);
    this.values = inAlphabeticalOrder(values, width, columnOfPosition);
    this.binOfCell = binOfCell == null ? null : inAlphabeticalOrder(binOfCell, width, columnOfPosition);
    this.indicatorNames = new String[width][];
    int indicatorCount = 0;
    for (int position = 0; position < width && bins != null; position++) {
      FeatureBins columnBins = bins.get(columnOfPosition[position]);
      if (columnBins.count() > 1) {
        indicatorNames[position] = new String[columnBins.count()];
        for (int bin = 0; bin < columnBins.count(); bin++) {
          indicatorNames[position][bin] = FeatureBins.indicatorName(columnNames[position], bin);
        }
        indicatorCount++;
      }
    }
    this.indicators = indicatorCount;
    this.featureIds = new ImmutableFeatureMap(observedFeatures());
    MutableOutputInfo<Label> labels = outputFactory.generateInfo();
    for (boolean isFraud : fraud) {
      labels.observe(isFraud ? fraudLabel : legitLabel);
    }
    this.labelIds = labels.generateImmutableOutputInfo();
    for (int position = 0; position < width; position++) {
      if (featureIds.getID(columnNames[position]) != position && binOfCell == null) {
        throw new IllegalStateException("Tribuo numbers features in another order than their names'");
      }
    }
  }

  /**
   * Each column's count, range, mean and sum of squared deviations, and each range indicator's
   * count (it is 1 where present), as Tribuo would observe them.
   */
  private FeatureMap observedFeatures() {
    MutableFeatureMap map = new MutableFeatureMap();
    int width = columnNames.length;
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
      map.put(new RealInfo(columnNames[column], rows, max, min, mean, squares));
      if (indicatorNames[column] != null) {
        int[] inBin = new int[indicatorNames[column].length];
        for (int row = 0; row < rows; row++) {
          inBin[binOfCell[row * width + column]]++;
        }
        for (int bin = 0; bin < inBin.length; bin++) {
          if (inBin[bin] > 0) {
            map.put(new RealInfo(indicatorNames[column][bin], inBin[bin], 1, 1, 1, 0));
          }
        }
      }
    }
    return map;
  }

  /** The matrix with its columns permuted into their names' order, in place when it already is. */
  private static float[] inAlphabeticalOrder(float[] values, int width, int[] columnOfPosition) {
    if (isIdentity(columnOfPosition)) {
      return values;
    }
    float[] row = new float[width];
    for (int start = 0; start < values.length; start += width) {
      System.arraycopy(values, start, row, 0, width);
      for (int position = 0; position < width; position++) {
        values[start + position] = row[columnOfPosition[position]];
      }
    }
    return values;
  }

  private static byte[] inAlphabeticalOrder(byte[] cells, int width, int[] columnOfPosition) {
    if (isIdentity(columnOfPosition)) {
      return cells;
    }
    byte[] row = new byte[width];
    for (int start = 0; start < cells.length; start += width) {
      System.arraycopy(cells, start, row, 0, width);
      for (int position = 0; position < width; position++) {
        cells[start + position] = row[columnOfPosition[position]];
      }
    }
    return cells;
  }

  private static boolean isIdentity(int[] permutation) {
    for (int i = 0; i < permutation.length; i++) {
      if (permutation[i] != i) {
        return false;
      }
    }
    return true;
  }

  /** The matrix as XGBoost's, with each row's label id and weight; the caller disposes of it. */
  DMatrix toDMatrix() throws XGBoostError {
    if (binOfCell != null) {
      throw new IllegalStateException("a matrix with value ranges is for linear models; XGBoost splits the values itself");
    }
    DMatrix matrix = new DMatrix(values, rows, columnNames.length, Float.NaN);
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
    int width = columnNames.length;
    int rangesPresent = binOfCell == null ? 0 : indicators;
    String[] names = new String[width + rangesPresent];
    double[] row = new double[width + rangesPresent];
    System.arraycopy(columnNames, 0, names, 0, width);
    for (int column = 0; column < width; column++) {
      row[column] = values[index * width + column];
    }
    for (int column = 0, next = width; column < width && rangesPresent > 0; column++) {
      if (indicatorNames[column] != null) {
        names[next] = indicatorNames[column][binOfCell[index * width + column]];
        row[next++] = 1;
      }
    }
    ArrayExample<Label> example = new ArrayExample<>(fraud[index] ? fraudLabel : legitLabel, names, row);
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
