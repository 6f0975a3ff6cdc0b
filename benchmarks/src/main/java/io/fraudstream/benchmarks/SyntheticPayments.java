package io.fraudstream.benchmarks;

import io.fraudstream.features.FeatureVector;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A synthetic month of 1,000 users, replayed once, for the scoring benchmarks to train on and to
 * score payment by payment, round and round, so that no benchmark scores one payment over again.
 */
@State(Scope.Thread)
public class SyntheticPayments {

  private static final byte[] SECRET = "benchmark-secret-0123456".getBytes(StandardCharsets.UTF_8);
  private List<FeatureRow> rows;
  private int next;

  @Setup(Level.Trial)
  public void replay() {
    rows = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(1_000, 30, 1)), SECRET);
  }

  /** Every payment's row, in time order. */
  public List<FeatureRow> rows() {
    return rows;
  }

  /** The next payment's features, after the last the first again. */
  public FeatureVector nextFeatures() {
    int index = next;
    next = next + 1 == rows.size() ? 0 : next + 1;
    return rows.get(index).features();
  }
}
