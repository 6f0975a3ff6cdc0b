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
 * Deletes expired state from a store every six hours of stream time, and at most once a minute
 * of wall-clock time. The extractors already ignore expired state when they meet it; this removes
 * it from the store and, through tombstones, from the changelog, so idle users and entities do
 * not stay forever. The wall-clock bound is for replays, where six hours of stream time can pass
 * in a fifth of a second: a sweep reads the whole store, and sweeping that often held every
 * payment behind it (the tail of the end-to-end benchmark's latency).
 */
public final class StoreRetention {

  static final Duration EVICTION_INTERVAL = Duration.ofHours(6);
  /** How often, in wall-clock time, whether a sweep is due is checked. */
  public static final Duration CHECK_INTERVAL = Duration.ofMinutes(1);

  private StoreRetention() {}

  public static <S> void schedule(ProcessingContext context, KeyValueStore<String, S> store, BiPredicate<S, Long> expiredAt) {
    schedule(context, store, expiredAt, key -> { });
  }

  /** As {@link #schedule(ProcessingContext, KeyValueStore, BiPredicate)}, telling {@code onExpired} of each key it forgets. */
  public static <S> void schedule(ProcessingContext context, KeyValueStore<String, S> store, BiPredicate<S, Long> expiredAt,
      Consumer<String> onExpired) {
    long[] lastSwept = {Long.MIN_VALUE};
    context.schedule(CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> {
      long streamTime = context.currentStreamTimeMs();
      if (streamTime < 0 || (lastSwept[0] != Long.MIN_VALUE && streamTime - lastSwept[0] < EVICTION_INTERVAL.toMillis())) {
        return;
      }
      lastSwept[0] = streamTime;
      List<String> expired = new ArrayList<>();
      try (KeyValueIterator<String, S> all = store.all()) {
        while (all.hasNext()) {
          KeyValue<String, S> entry = all.next();
          if (expiredAt.test(entry.value, streamTime)) {
            expired.add(entry.key);
          }
        }
      }
      for (String key : expired) {
        store.delete(key);
        onExpired.accept(key);
      }
    });
  }
}
