package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the command line says, and exits with, when it is given something it does not know. */
class CommandLineErrorsTest {

  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = FraudstreamCli.execute(Map.of(), args);
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "backtset --help|Unmatched argument at index 0: 'backtset'|fraudstream backtest",
      "backtset|Unmatched argument at index 0: 'backtset'|fraudstream backtest",
      "run --modle x --help|Unknown options: '--modle'|--model",
      "run --modle x|Unknown options: '--modle', 'x'|--model"})
  void shouldNameWhatItDidNotRecogniseSuggestTheNearestAndExit2(String args, String said, String suggested) {
    Outcome outcome = run(args.split(" "));
    assertEquals(2, outcome.code(), outcome.err());
    assertTrue(outcome.err().contains(said), outcome.err());
    assertTrue(outcome.err().contains(suggested), outcome.err());
    assertTrue(!outcome.out().contains("Usage: fraudstream [-hV]"), "no usage on standard output, as if help had been asked for");
  }

  @Test
  void shouldStillPrintHelpForAKnownCommand() {
    Outcome outcome = run("run", "--help");
    assertEquals(0, outcome.code());
    assertTrue(outcome.out().contains("--startup-timeout-ms"), outcome.out());
    assertTrue(outcome.out().contains("--max-ahead-ms"), outcome.out());
  }

  @Test
  void shouldRefuseABadOperatorWithoutShowingItsTokenAndAConsoleWithoutACluster(@TempDir Path dir) throws Exception {
    Path operators = dir.resolve("operators");
    Files.writeString(operators, "alice:shorty\n");
    Outcome bad = run("console", "--operators-file", operators.toString());
    assertEquals(1, bad.code(), bad.err());
    assertTrue(bad.err().contains("name:token pairs"), bad.err());
    assertFalse(bad.err().contains("shorty") || bad.out().contains("shorty"), "the token was shown");

    Outcome noCluster = run("console", "--look-back-hours", "2");
    assertEquals(1, noCluster.code(), noCluster.err());
    assertTrue(noCluster.err().contains("the console needs the engine's cluster: pass --bootstrap-servers"), noCluster.err());
    assertTrue(run("console", "--look-back-hours", "-1").err().contains("--look-back-hours must be 0 or more"));
  }

  @Test
  void shouldRefuseAnAcceptedWindowTheBrokersWouldNot() {
    Outcome outcome = run("run", "--model", "missing.bundle", "--hash-secret", "0123456789abcdef0", "--max-ahead-ms", "7200000");
    assertEquals(1, outcome.code(), outcome.err());
    assertTrue(outcome.err().contains("must be from 0 to 55 minutes (brokers refuse records more than an hour ahead)"), outcome.err());
  }

  @Test
  void shouldSayWhatToDoWhenTheHeapIsTooSmallInsteadOfAStackTrace(@TempDir Path dir) throws Exception {
    // generate holds the payments it makes in memory: 200,000 users for 30 days do not fit in 64 MB.
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), FraudstreamCli.class.getName(), "generate", "--out",
        dir.resolve("big.csv").toString(), "--users", "200000", "--days", "30").redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS));
    assertEquals(1, process.exitValue(), output);
    assertTrue(output.startsWith("fraudstream: out of memory: the Java heap (at most ") && output.contains("FRAUDSTREAM_JAVA_OPTS=-Xmx"),
        output);
    assertFalse(output.contains("\tat "), "no stack trace: " + output);
  }
}
