package io.fraudstream.engine;

import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A model trained once per test JVM on synthetic data, shared by the engine's tests. */
public final class TestModels {

  public static final byte[] SECRET = "engine-test-secret-0123".getBytes(StandardCharsets.UTF_8);
  public static final Pseudonymiser PSEUDONYMISER = new Pseudonymiser(SECRET);
  private static ModelBundle bundle;
  private static ModelBundle other;

  private TestModels() {}

  public static synchronized ModelBundle bundle() {
    if (bundle == null) {
      List<Transaction> history = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(800, 30, 1));
      bundle = ModelTrainer.train(OfflineReplay.replay(history, SECRET), ModelTrainer.Settings.defaults("synthetic seed 1"));
    }
    return bundle;
  }

  /**
   * A second model, trained on other users: its scores differ from {@link #bundle()}'s, so a test
   * can tell which of the two scored a payment (the same model with other thresholds could not).
   */
  public static synchronized ModelBundle other() {
    if (other == null) {
      List<Transaction> history = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(500, 30, 2));
      other = ModelTrainer.train(OfflineReplay.replay(history, SECRET), ModelTrainer.Settings.defaults("synthetic seed 2"));
    }
    return other;
  }
}
