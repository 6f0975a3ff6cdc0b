package io.fraudstream.engine.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * For a command that runs until Ctrl-C or SIGTERM and closes what it opened in its own
 * try-with-resources blocks: {@link #awaitStop} returns when the JVM is asked to stop, and the
 * JVM's shutdown then waits until the gate is {@linkplain #close closed}, declared first so that
 * it closes last. Without the wait the JVM halts as soon as its shutdown hooks return, with the
 * command's engine, broker and temporary directories still open.
 */
final class ShutdownGate implements AutoCloseable {

  /** How long a stop waits for the command to close; a close that hangs must not keep the JVM alive. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final CountDownLatch stopAsked = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  /**
   * Runs {@code announce} (telling the user how to stop), then blocks until the JVM is asked to
   * stop; the caller then returns and closes what it opened. The hook is in place before the
   * announcement: a Ctrl-C sent the moment it appears (a script waiting for it) found none in 2 of
   * 6 tries, and the JVM halted with everything left open.
   */
  void awaitStop(Runnable announce) throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopAsked.countDown();
      try {
        closed.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "fraudstream-stop"));
    announce.run();
    stopAsked.await();
  }

  /** Everything the command opened is closed: the JVM may finish stopping. */
  @Override
  public void close() {
    closed.countDown();
  }
}
