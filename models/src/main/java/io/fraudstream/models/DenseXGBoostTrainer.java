package io.fraudstream.models;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.tribuo.Dataset;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.xgboost.XGBoostClassificationConverter;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.common.xgboost.XGBoostTrainer;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.provenance.impl.TrainerProvenanceImpl;

/**
 * Tribuo's XGBoost classification trainer (the same objective, parameters, model and provenance),
 * which hands a {@link FeatureMatrixDataset} to XGBoost as the matrix it already is.
 *
 * <p>Tribuo's {@code XGBoostClassificationTrainer} converts every dataset through boxed lists of
 * each value, which on large histories costs more heap and time than XGBoost's training itself.
 * Other datasets still take Tribuo's conversion.
 */
final class DenseXGBoostTrainer extends XGBoostTrainer<Label> {

  DenseXGBoostTrainer(int trees, double eta, int depth, double minChildWeight, double subsample, double featureSubsample,
      double lambda, int threads, long seed) {
    super(BoosterType.GBTREE, TreeMethod.HIST, trees, eta, 0, depth, minChildWeight, subsample, featureSubsample, lambda, 0, threads,
        LoggingVerbosity.SILENT, seed);
    postConfig();
  }

  @Override
  public void postConfig() {
    super.postConfig();
    parameters.put("objective", "multi:softprob");
  }

  @Override
  public XGBoostModel<Label> train(Dataset<Label> examples, Map<String, Provenance> runProvenance) {
    return train(examples, runProvenance, INCREMENT_INVOCATION_COUNT);
  }

  @Override
  public synchronized XGBoostModel<Label> train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
    if (examples.getOutputInfo().getUnknownCount() > 0) {
      throw new IllegalArgumentException("the dataset holds payments without a label; training needs every label");
    }
    if (invocationCount != INCREMENT_INVOCATION_COUNT) {
      setInvocationCount(invocationCount);
    }
    ImmutableOutputInfo<Label> labelIds = examples.getOutputIDInfo();
    TrainerProvenance trainerProvenance = getProvenance();
    trainInvocationCounter++;
    parameters.put("num_class", labelIds.size());
    Booster booster;
    DMatrix matrix = null;
    try {
      matrix = examples instanceof FeatureMatrixDataset dense
          ? dense.toDMatrix()
          : convertExamples(examples, examples.getFeatureIDMap(), label -> (float) labelIds.getID(label)).data;
      booster = XGBoost.train(matrix, parameters, numTrees, Collections.emptyMap(), null, null);
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost failed to train: " + e.getMessage(), e);
    } finally {
      if (matrix != null) {
        matrix.dispose();
      }
    }
    ModelProvenance provenance = new ModelProvenance(XGBoostModel.class.getName(), OffsetDateTime.now(), examples.getProvenance(),
        trainerProvenance, runProvenance);
    return createModel("xgboost-classification-model", provenance, examples.getFeatureIDMap(), labelIds, List.of(booster),
        new XGBoostClassificationConverter());
  }

  @Override
  public TrainerProvenance getProvenance() {
    return new TrainerProvenanceImpl(this);
  }
}
