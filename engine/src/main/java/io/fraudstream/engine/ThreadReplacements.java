package io.fraudstream.engine;

import java.time.Duration;
import java.util.ArrayDeque;

/** How many stream threads may be replaced: {@link #ALLOWED} within {@link #WINDOW}, then the engine stops. */
final class ThreadReplacements {

  static final int ALLOWED = 3;
  static final Duration WINDOW = Duration.ofMinutes(10);

  private final ArrayDeque<Long> times = new ArrayDeque<>();

  /** Records a failure at {@code nanoTime}; whether the failed thread may be replaced. */
  synchronized boolean allowAnother(long nanoTime) {
    while (!times.isEmpty() && nanoTime - times.peekFirst() > WINDOW.toNanos()) {
      times.removeFirst();
    }
    if (times.size() >= ALLOWED) {
      return false;
    }
    times.addLast(nanoTime);
    return true;
  }

  /** Replacements within the window. */
  synchronized int recent() {
    return times.size();
  }
}
