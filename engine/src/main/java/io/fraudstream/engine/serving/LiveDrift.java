package io.fraudstream.engine.serving;

import io.fraudstream.features.FeatureVector;
import io.fraudstream.models.DriftCounts;
import io.fraudstream.models.ModelBundle;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * How far the live model's inputs and scores have moved from its training data, over the last
 * hour and the last day of decisions (by decision time): counts in the bundle's reference bins,
 * kept in slots of 5 minutes and of an hour that are emptied as time passes them. A new model
 * starts the counts afresh; one without a reference (made before bundle format 4) is not watched.
 * Thread-safe; the work per payment is one bin lookup per feature under an uncontended lock.
 */
public final class LiveDrift {

  /** A window of slots, each the counts of one stretch of time. */
  public enum Window {
    HOUR(Duration.ofMinutes(5), 12), DAY(Duration.ofHours(1), 24);

    final long slotMillis;
    final int slots;

    Window(Duration slot, int slots) {
      this.slotMillis = slot.toMillis();
      this.slots = slots;
    }

    public String label() {
      return name().equals("HOUR") ? "1h" : "1d";
    }
  }

  private static final long SNAPSHOT_MILLIS = 1_000;

  private String provenance;
  private ModelBundle bundle;
  private DriftCounts[][] slots;
  private long[][] slotOf;
  private final DriftCounts[] snapshots = new DriftCounts[Window.values().length];
  private final long[] snapshotAt = new long[Window.values().length];

  /** One decision of {@code model}: its feature values and its score, decided at {@code at}. */
  public synchronized void record(ModelBundle model, FeatureVector features, double score, Instant at) {
    if (!model.provenanceId().equals(provenance)) {
      start(model);
    }
    if (slots == null || Double.isNaN(score)) {
      return;
    }
    long millis = at.toEpochMilli();
    for (Window window : Window.values()) {
      long slot = Math.floorDiv(millis, window.slotMillis);
      int index = (int) Math.floorMod(slot, (long) window.slots);
      DriftCounts counts = slots[window.ordinal()][index];
      if (slotOf[window.ordinal()][index] != slot) {
        counts.clear();
        slotOf[window.ordinal()][index] = slot;
      }
      counts.add(features, score);
    }
  }

  private void start(ModelBundle model) {
    provenance = model.provenanceId();
    bundle = model;
    Arrays.fill(snapshots, null);
    if (model.reference() == null) {
      slots = null;
      return;
    }
    slots = new DriftCounts[Window.values().length][];
    slotOf = new long[Window.values().length][];
    for (Window window : Window.values()) {
      slots[window.ordinal()] = new DriftCounts[window.slots];
      slotOf[window.ordinal()] = new long[window.slots];
      Arrays.fill(slotOf[window.ordinal()], Long.MIN_VALUE);
      for (int i = 0; i < window.slots; i++) {
        slots[window.ordinal()][i] = new DriftCounts(model);
      }
    }
  }

  /**
   * The counts of {@code window} up to {@code now}, summed over its slots; null when no watched
   * model has decided. Summed at most once a second, as every gauge of a scrape asks.
   */
  public synchronized DriftCounts counts(Window window, Instant now) {
    if (slots == null) {
      return null;
    }
    long millis = now.toEpochMilli();
    DriftCounts cached = snapshots[window.ordinal()];
    if (cached != null && millis - snapshotAt[window.ordinal()] < SNAPSHOT_MILLIS) {
      return cached;
    }
    DriftCounts sum = new DriftCounts(bundle);
    long current = Math.floorDiv(millis, window.slotMillis);
    for (int i = 0; i < window.slots; i++) {
      long slot = slotOf[window.ordinal()][i];
      if (slot > current - window.slots && slot <= current) {
        sum.addAll(slots[window.ordinal()][i]);
      }
    }
    snapshots[window.ordinal()] = sum;
    snapshotAt[window.ordinal()] = millis;
    return sum;
  }
}
