package io.fraudstream.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A JVM of its own whose output goes to a file, stopped by SIGTERM when closed. */
final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ChildProcess(List<String> command, Path log) throws IOException {
    this.log = log;
    this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** {@code mainClass ARGS} in a JVM with this one's class path. */
  static ChildProcess java(Path log, String mainClass, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    return new ChildProcess(command, log);
  }

  /** {@code ./fraudstream ARGS}, as a user starts it. */
  static ChildProcess launcher(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("./fraudstream"));
    command.addAll(List.of(args));
    return new ChildProcess(command, log);
  }

  void awaitLine(String text, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.readString(log).contains(text)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("no '" + text + "' from " + log + (process.isAlive() ? " in " + timeout : " before it ended")
            + ":\n" + Files.readString(log));
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** The process id: that of the JVM, since the launcher execs it. */
  long pid() {
    return process.pid();
  }

  /** SIGKILL: no shutdown hook, no commit, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
