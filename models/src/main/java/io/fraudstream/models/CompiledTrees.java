package io.fraudstream.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.ensemble.EnsembleModel;

/**
 * A trained tree ensemble flattened into arrays and scored in plain Java: no feature map, no
 * prediction objects, and for XGBoost no native call and no DMatrix per payment.
 *
 * <p>Two kinds are compiled, each the way its library scores it:
 * <ul>
 *   <li>XGBoost (softmax over the classes): a node goes to its "yes" child when the value, as a
 *       float, is below the split; each class sums its trees' leaves, and the fraud probability
 *       is the softmax of the sums.</li>
 *   <li>Tribuo trees (one tree or an ensemble averaging the trees' leaf distributions): a node
 *       goes to its "less or equal" child when the value is at most the split; the probability
 *       is the mean of the leaves' fraud shares.</li>
 * </ul>
 * Nodes are stored in one set of arrays for all trees. Thread-safe once built.
 */
public final class CompiledTrees {

  private static final ObjectMapper JSON = new ObjectMapper();

  private enum Kind { XGBOOST_SOFTMAX, MEAN_OF_TREES }

  private final Kind kind;
  /**
   * Per node, two ints: the input (in {@code inputs} order) it tests, or -1 for a leaf; and where
   * to go when the test fails. Nodes are laid out depth first with the passing child right after
   * its parent, so the next node when the test holds is simply the following one.
   */
  private final int[] nodes;
  /** Per node, the split (XGBoost compares in float, Tribuo in double), or for a leaf its value. */
  private final float[] floatValue;
  private final double[] doubleValue;
  /** XGBoost only: per node, the margin expected there (the cover-weighted mean of its leaves). */
  private final double[] expected;
  /** For XGBoost, the fraud class's trees come first, then the legitimate class's, each in boosting order. */
  private final int[] roots;
  private final int fraudTrees;

  private CompiledTrees(Kind kind, Nodes built, int[] roots, int fraudTrees) {
    this.kind = kind;
    int count = built.feature.size();
    this.nodes = new int[2 * count];
    this.floatValue = new float[count];
    this.doubleValue = new double[count];
    this.expected = built.expected.stream().mapToDouble(Double::doubleValue).toArray();
    for (int i = 0; i < count; i++) {
      nodes[2 * i] = built.feature.get(i);
      nodes[2 * i + 1] = built.whenFalse.get(i);
      double value = built.feature.get(i) < 0 ? built.leaf.get(i) : built.split.get(i);
      floatValue[i] = (float) value;
      doubleValue[i] = value;
    }
    this.roots = roots;
    this.fraudTrees = fraudTrees;
  }

  /**
   * Compiles a bundle's model if it is a tree ensemble, or returns null for any other model.
   *
   * @param inputs the model's feature names, in the order of the values {@link #fraudProbability} takes
   */
  public static CompiledTrees compile(Model<Label> model, List<String> inputs) {
    if (model instanceof XGBoostModel<Label> xgboost) {
      return fromXGBoost(xgboost, inputs);
    }
    if (model instanceof TreeModel<Label> tree) {
      return fromTribuo(List.of(tree), model, inputs);
    }
    if (model instanceof EnsembleModel<Label> ensemble && ensemble.getModels().stream().allMatch(TreeModel.class::isInstance)) {
      return fromTribuo(ensemble.getModels(), model, inputs);
    }
    return null;
  }

  /** The probability of fraud for the model's inputs, standardised as in training. */
  public double fraudProbability(double[] values) {
    return fraudProbability(values, null);
  }

  /**
   * The probability of fraud, and, when {@code contributions} is given and the model is
   * XGBoost, how much each input moved the fraud log-odds: at every
   * split on the way to a leaf, the change in expected margin is credited to the input split on
   * (path attribution, in the fraud class's trees minus the legitimate class's). Their sum is the
   * log-odds less a constant bias.
   */
  public double fraudProbability(double[] values, double[] contributions) {
    if (kind == Kind.MEAN_OF_TREES) {
      double sum = 0;
      for (int root : roots) {
        int at = root;
        for (int feature; (feature = nodes[2 * at]) >= 0; ) {
          at = values[feature] <= doubleValue[at] ? at + 1 : nodes[2 * at + 1];
        }
        sum += doubleValue[at];
      }
      return sum / roots.length;
    }
    // XGBoost reads inputs as floats, compares them with float splits and sums leaves in float.
    float[] inputs = new float[values.length];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = (float) values[i];
    }
    float fraudMargin = margin(inputs, 0, fraudTrees, contributions, 1);
    float legitMargin = margin(inputs, fraudTrees, roots.length, contributions, -1);
    // The softmax of two margins, as XGBoost computes it: shifted by the larger, in float.
    float max = Math.max(fraudMargin, legitMargin);
    float fraud = (float) Math.exp(fraudMargin - max);
    float legit = (float) Math.exp(legitMargin - max);
    return fraud / (fraud + legit);
  }

  /**
   * The sum of the leaves of trees {@code from} to {@code until} (exclusive), in tree order as
   * XGBoost sums; adds each split's attribution, times {@code sign}, to {@code contributions} if given.
   */
  private float margin(float[] inputs, int from, int until, double[] contributions, int sign) {
    float margin = 0;
    for (int t = from; t < until; t++) {
      int at = roots[t];
      for (int feature; (feature = nodes[2 * at]) >= 0; ) {
        int next = inputs[feature] < floatValue[at] ? at + 1 : nodes[2 * at + 1];
        if (contributions != null) {
          contributions[feature] += sign * (expected[next] - expected[at]);
        }
        at = next;
      }
      margin += floatValue[at];
    }
    return margin;
  }

  public int trees() {
    return roots.length;
  }

  private static final class Nodes {
    final List<Integer> feature = new ArrayList<>();
    final List<Double> split = new ArrayList<>();
    final List<Integer> whenFalse = new ArrayList<>();
    final List<Double> leaf = new ArrayList<>();
    /** XGBoost only: the training weight that reached the node, and the cover-weighted mean of its leaves. */
    final List<Double> cover = new ArrayList<>();
    final List<Double> expected = new ArrayList<>();

    int add() {
      feature.add(-1);
      split.add(0.0);
      whenFalse.add(-1);
      leaf.add(0.0);
      cover.add(0.0);
      expected.add(0.0);
      return feature.size() - 1;
    }
  }

  private static CompiledTrees fromTribuo(List<Model<Label>> trees, Model<Label> model, List<String> inputs) {
    int[] inputOfId = inputOfFeatureId(model, inputs);
    int fraudId = model.getOutputIDInfo().getID(new Label(ModelScorer.FRAUD));
    if (fraudId < 0) {
      throw new IllegalArgumentException("the model does not predict " + ModelScorer.FRAUD);
    }
    Nodes nodes = new Nodes();
    int[] roots = new int[trees.size()];
    for (int t = 0; t < roots.length; t++) {
      roots[t] = addTribuoNode(nodes, ((TreeModel<Label>) trees.get(t)).getRoot(), inputOfId);
    }
    return new CompiledTrees(Kind.MEAN_OF_TREES, nodes, roots, 0);
  }

  private static int addTribuoNode(Nodes nodes, Node<Label> node, int[] inputOfId) {
    int at = nodes.add();
    if (node instanceof LeafNode<Label> leaf) {
      Label fraud = leaf.getDistribution().get(ModelScorer.FRAUD);
      nodes.leaf.set(at, fraud == null ? 0 : fraud.getScore());
      return at;
    }
    SplitNode<Label> split = (SplitNode<Label>) node;
    nodes.feature.set(at, inputOfId[split.getFeatureID()]);
    nodes.split.set(at, split.splitValue());
    addTribuoNode(nodes, split.getLessThanOrEqual(), inputOfId);   // right after its parent
    nodes.whenFalse.set(at, addTribuoNode(nodes, split.getGreaterThan(), inputOfId));
    return at;
  }

  private static CompiledTrees fromXGBoost(XGBoostModel<Label> model, List<String> inputs) {
    if (model.getInnerModels().size() != 1) {
      throw new IllegalArgumentException("expected one XGBoost booster, got " + model.getInnerModels().size());
    }
    int[] inputOfId = inputOfFeatureId(model, inputs);
    int classes = model.getOutputIDInfo().size();
    int fraudId = model.getOutputIDInfo().getID(new Label(ModelScorer.FRAUD));
    if (classes != 2 || fraudId < 0) {
      throw new IllegalArgumentException("expected a model over FRAUD and LEGIT, got " + model.getOutputIDInfo().getDomain());
    }
    Booster booster = model.getInnerModels().get(0);
    String[] dump;
    try {
      // JSON keeps every float's digits, where the text dump rounds them; the statistics give
      // each node's cover, for the path attributions.
      dump = booster.getModelDump((String) null, true, "json");
    } catch (XGBoostError e) {
      throw new IllegalStateException("cannot read the XGBoost trees: " + e.getMessage(), e);
    }
    Nodes nodes = new Nodes();
    List<Integer> fraudRoots = new ArrayList<>();
    List<Integer> legitRoots = new ArrayList<>();
    for (int t = 0; t < dump.length; t++) {
      int root;
      try {
        root = addXGBoostNode(nodes, JSON.readTree(dump[t]), inputOfId);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read XGBoost tree " + t + ": " + e.getMessage(), e);
      }
      // Multi-class boosting grows one tree per class per round, in class order.
      (t % classes == fraudId ? fraudRoots : legitRoots).add(root);
    }
    int[] roots = Stream.concat(fraudRoots.stream(), legitRoots.stream()).mapToInt(Integer::intValue).toArray();
    return new CompiledTrees(Kind.XGBOOST_SOFTMAX, nodes, roots, fraudRoots.size());
  }

  private static int addXGBoostNode(Nodes nodes, JsonNode node, int[] inputOfId) {
    int at = nodes.add();
    nodes.cover.set(at, node.get("cover").doubleValue());
    if (node.has("leaf")) {
      nodes.leaf.set(at, node.get("leaf").doubleValue());
      nodes.expected.set(at, node.get("leaf").doubleValue());
      return at;
    }
    String feature = node.get("split").asText();
    int id = Integer.parseInt(feature.startsWith("f") ? feature.substring(1) : feature);
    nodes.feature.set(at, inputOfId[id]);
    nodes.split.set(at, node.get("split_condition").doubleValue());
    // Every input always has a value (a missing field is an indicator and a 0), so the
    // "missing" branch is never taken and is not kept.
    int yesId = node.get("yes").asInt();
    Map<Integer, JsonNode> children = new HashMap<>();
    for (JsonNode child : node.get("children")) {
      children.put(child.get("nodeid").asInt(), child);
    }
    int yes = addXGBoostNode(nodes, children.get(yesId), inputOfId);   // right after its parent
    int no = addXGBoostNode(nodes, children.get(node.get("no").asInt()), inputOfId);
    nodes.whenFalse.set(at, no);
    double yesCover = nodes.cover.get(yes);
    double noCover = nodes.cover.get(no);
    nodes.expected.set(at, yesCover + noCover > 0
        ? (yesCover * nodes.expected.get(yes) + noCover * nodes.expected.get(no)) / (yesCover + noCover) : 0);
    return at;
  }

  /** Tribuo's feature id of each input, turned round: for each id, the input's position. */
  private static int[] inputOfFeatureId(Model<Label> model, List<String> inputs) {
    int[] inputOfId = new int[model.getFeatureIDMap().size()];
    Arrays.fill(inputOfId, -1);
    for (int i = 0; i < inputs.size(); i++) {
      int id = model.getFeatureIDMap().getID(inputs.get(i));
      if (id >= 0) {
        inputOfId[id] = i;
      }
    }
    return inputOfId;
  }
}
