package io.fraudstream.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * How many stream threads of one engine (both its applications) may be replaced: {@link #ALLOWED}
 * within {@link #WINDOW}, then the engine stops. Keeps the last error, so that an operator or a
 * test can tell a record's fault from the cluster's.
 */
final class ThreadReplacements {

  static final int ALLOWED = 3;
  static final Duration WINDOW = Duration.ofMinutes(10);

  private final ArrayDeque<Long> times = new ArrayDeque<>();
  private Throwable last;

  /** Records {@code error}, a thread's failure at {@code nanoTime}; whether the failed thread may be replaced. */
  synchronized boolean allowAnother(long nanoTime, Throwable error) {
    last = error;
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

  /** The error of the last thread that failed, if any has. */
  synchronized Optional<Throwable> last() {
    return Optional.ofNullable(last);
  }
}
