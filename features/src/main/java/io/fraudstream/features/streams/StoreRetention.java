package io.fraudstream.features.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deletes expired state from a store: a pass over the store every six hours of stream time, and
 * at most once a minute of wall-clock time, read in slices of {@link #SLICE_KEYS} keys a second.
 * The extractors already ignore expired state when they meet it; this removes it from the store
 * and, through tombstones, from the changelog, so idle users and entities do not stay forever.
 *
 * <p>The wall-clock bound is for replays, where six hours of stream time can pass in a fifth of a
 * second. The slices are for the payments: a pass that read the whole store at once held every
 * payment of the task behind it, for as long as reading some ten thousand states per partition
 * took at a hundred thousand users, and longer the more users there are. A slice costs a few
 * milliseconds; a pass over ten million users takes under three hours of slices.
 */
public final class StoreRetention {

  static final Duration EVICTION_INTERVAL = Duration.ofHours(6);
  /** How often, in wall-clock time, a pass may start. */
  public static final Duration CHECK_INTERVAL = Duration.ofMinutes(1);
  /** How often a running pass reads its next slice, in wall-clock time. */
  public static final Duration SLICE_INTERVAL = Duration.ofSeconds(1);
  static final int SLICE_KEYS = 1_000;

  private StoreRetention() {}

  public static <S> void schedule(ProcessingContext context, KeyValueStore<String, S> store, BiPredicate<S, Long> expiredAt) {
    schedule(context, store, expiredAt, key -> { });
  }

  /** As {@link #schedule(ProcessingContext, KeyValueStore, BiPredicate)}, telling {@code onExpired} of each key it forgets. */
  public static <S> void schedule(ProcessingContext context, KeyValueStore<String, S> store, BiPredicate<S, Long> expiredAt,
      Consumer<String> onExpired) {
    Sweep<S> sweep = new Sweep<>(context, store, expiredAt, onExpired);
    context.schedule(SLICE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, sweep::punctuate);
  }

  /** One store's passes: when the last began, in stream and wall-clock time, and where the running one stands. */
  private static final class Sweep<S> {
    private final ProcessingContext context;
    private final KeyValueStore<String, S> store;
    private final BiPredicate<S, Long> expiredAt;
    private final Consumer<String> onExpired;
    private long passStreamTime = Long.MIN_VALUE;
    private long passWallClock = Long.MIN_VALUE;
    private boolean running;
    /** The last key the running pass has read; null before its first slice. */
    private String after;

    Sweep(ProcessingContext context, KeyValueStore<String, S> store, BiPredicate<S, Long> expiredAt, Consumer<String> onExpired) {
      this.context = context;
      this.store = store;
      this.expiredAt = expiredAt;
      this.onExpired = onExpired;
    }

    void punctuate(long wallClock) {
      long streamTime = context.currentStreamTimeMs();
      if (!running) {
        boolean due = passStreamTime == Long.MIN_VALUE || streamTime - passStreamTime >= EVICTION_INTERVAL.toMillis();
        if (streamTime < 0 || !due || (passWallClock != Long.MIN_VALUE && wallClock - passWallClock < CHECK_INTERVAL.toMillis())) {
          return;
        }
        running = true;
        after = null;
        passStreamTime = streamTime;
        passWallClock = wallClock;
      }
      slice(passStreamTime);
    }

    /** Reads the next slice against the stream time the pass began at, so one pass judges every key alike. */
    private void slice(long streamTime) {
      List<String> expired = new ArrayList<>();
      int read = 0;
      boolean more = false;
      try (KeyValueIterator<String, S> next = after == null ? store.all() : store.range(after, null)) {
        while (next.hasNext()) {
          KeyValue<String, S> entry = next.next();
          if (entry.key.equals(after)) {
            continue;
          }
          if (read == SLICE_KEYS) {
            more = true;
            break;
          }
          read++;
          after = entry.key;
          if (expiredAt.test(entry.value, streamTime)) {
            expired.add(entry.key);
          }
        }
      }
      for (String key : expired) {
        store.delete(key);
        onExpired.accept(key);
      }
      running = more;
    }
  }
}
