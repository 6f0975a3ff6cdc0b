package io.fraudstream.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code fraudstream} command in a JVM of its own, so that a test can kill it as an operator or
 * the kernel would (SIGTERM, SIGKILL) while the broker in the test's JVM lives on. Its output is
 * collected as it comes.
 */
final class EngineProcess implements AutoCloseable {

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final Thread reader;

  private EngineProcess(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(line -> output.append(line).append('\n'));
      } catch (IOException e) {
        output.append("output lost: ").append(e);
      }
    }, "engine-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code fraudstream ARGS...} with this test JVM's class path. */
  static EngineProcess start(String... args) throws IOException {
    return startMain("io.fraudstream.engine.cli.FraudstreamCli", args);
  }

  /** Starts {@code fraudstream ARGS...} with these variables added to the environment (where secrets belong, not in ps). */
  static EngineProcess startWithEnvironment(Map<String, String> environment, String... args) throws IOException {
    return start(environment, "io.fraudstream.engine.cli.FraudstreamCli", args);
  }

  /** Starts {@code mainClass ARGS...} with this test JVM's class path. */
  static EngineProcess startMain(String mainClass, String... args) throws IOException {
    return start(Map.of(), mainClass, args);
  }

  private static EngineProcess start(Map<String, String> environment, String mainClass, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // A short warm-up still runs the start as users run it, without its 10 s in every process a test starts.
    builder.environment().put("FRAUDSTREAM_WARM_UP", "1000");
    builder.environment().putAll(environment);
    return new EngineProcess(builder.start());
  }

  /** Waits until a line containing {@code text} has been printed; fails if the process ends first. */
  EngineProcess awaitOutput(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output.toString().contains(text)) {
      if (!process.isAlive()) {
        reader.join(2_000);
        if (output.toString().contains(text)) {
          return this;
        }
        throw new AssertionError("the process ended (exit " + process.exitValue() + ") before printing '" + text + "':\n" + output);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no '" + text + "' within " + timeout + ":\n" + output);
      }
      Thread.sleep(50);
    }
    return this;
  }

  /** SIGKILL: no shutdown hook, no commit, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, through the handle: Process.destroy() would also close the output being read. */
  void terminate() {
    process.toHandle().destroy();
  }

  /** The exit code, waiting at most {@code timeout} for the process to end. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the process did not end within " + timeout + ":\n" + output);
    }
    reader.join(5_000);
    return process.exitValue();
  }

  String output() {
    return output.toString();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
