package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Rules;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelBundleException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What decides, as one swappable slot each: the live model, the shadow model and the rules. Each
 * is swapped whole, so a decision is made by exactly one version of each and a reload never
 * pauses scoring. A model is checked before it goes in, and the old one stays on refusal.
 *
 * <p>Thread-safe: every stream thread reads it, the serving-file watcher writes it.
 */
final class ServingModels {

  private final AtomicReference<ServingModel> live;
  private final AtomicReference<ServingModel> shadow = new AtomicReference<>();
  private final AtomicReference<Rules> rules;
  private final Duration labelDelay;

  ServingModels(ModelBundle bundle, Rules rules) {
    this.labelDelay = bundle.labelDelay();
    this.live = new AtomicReference<>(check(bundle));
    this.rules = new AtomicReference<>(rules);
  }

  Duration labelDelay() {
    return labelDelay;
  }

  ServingModel live() {
    return live.get();
  }

  ServingModel shadow() {
    return shadow.get();
  }

  Rules rules() {
    return rules.get();
  }

  ServingModel useLive(ModelBundle bundle) {
    ServingModel checked = check(bundle);
    live.set(checked);
    return checked;
  }

  ServingModel useShadow(ModelBundle bundle) {
    ServingModel checked = bundle == null ? null : check(bundle);
    shadow.set(checked);
    return checked;
  }

  void useRules(Rules newRules) {
    rules.set(newRules);
  }

  /**
   * Checks that a bundle can serve beside the running topology: the same label delay as the
   * features are computed with, and a probability for a payment with no history.
   */
  private ServingModel check(ModelBundle bundle) {
    if (!bundle.labelDelay().equals(labelDelay)) {
      throw new ModelBundleException("model " + bundle.version() + " was trained with a label delay of "
          + bundle.labelDelay().toDays() + " days, but the engine serves entity features with " + labelDelay.toDays()
          + "; retrain it with --label-delay-days " + labelDelay.toDays() + " or restart the engine with it");
    }
    ServingModel model = new ServingModel(bundle);
    double probe = model.scorer().probability(new FeatureVector(new double[Feature.count()]));
    if (!(probe >= 0 && probe <= 1)) {
      throw new ModelBundleException("model " + bundle.version() + " scores an empty payment " + probe + ", not a probability");
    }
    return model;
  }
}
