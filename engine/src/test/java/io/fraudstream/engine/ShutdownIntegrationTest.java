package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fraudstream run} in its own JVM, stopped by SIGTERM as a container runtime stops it, then
 * started again on its state directory.
 */
@Tag("broker")
class ShutdownIntegrationTest {

  @Test
  void shouldCommitAndFlushStateOnSigtermAndResumeOnIt(@TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
      Path model = dir.resolve("model.bundle");
      TestModels.bundle().save(model);
      Path stateDir = dir.resolve("state");
      String[] run = {"run", "--bootstrap-servers", broker.bootstrapServers(), "--model", model.toString(),
          "--state-dir", stateDir.toString(), "--hash-secret", new String(TestModels.SECRET, StandardCharsets.UTF_8), "--http-port", "-1"};
      List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(50, 12, 2)).subList(0, 600);
      List<Transaction> before = payments.subList(0, 300);
      List<Transaction> after = payments.subList(300, 600);

      EngineProcess engine = EngineProcess.start(run);
      try {
        engine.awaitOutput("fraudstream is running", Duration.ofSeconds(90));
        PaymentSender.send(broker.bootstrapServers(), before);
        try (DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
          reader.awaitAll(before.stream().map(Transaction::id).toList(), Duration.ofSeconds(90), Duration.ZERO);
        }
      } finally {
        engine.terminate();
      }
      // 143 = 128 + SIGTERM: the JVM's status for a process ended by the signal, after its shutdown hook ran.
      assertEquals(143, engine.awaitExit(Duration.ofSeconds(60)), engine.output());
      assertTrue(engine.output().contains("fraudstream engine stopped cleanly"), engine.output());
      // KafkaStreams.close() returned true: threads stopped, the last transaction committed and the
      // stores flushed and closed, within the 30 s the engine allows itself.
      assertTrue(!engine.output().contains(" ERROR "), engine.output());
      // Each RocksDB store has an IDENTITY, made when the store is created. Under exactly-once Kafka
      // Streams wipes a task's state after an unclean stop and restores it from the changelog; after
      // a clean one it opens the stores as they are. The identities tell which happened.
      Map<Path, String> identities = userStateIdentities(stateDir);
      assertEquals(4, identities.size(), "one user-state store per input partition: " + identities.keySet());

      EngineProcess again = EngineProcess.start(run);
      try {
        again.awaitOutput("fraudstream is running", Duration.ofSeconds(90));
        PaymentSender.send(broker.bootstrapServers(), after);
        try (DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
          try {
            reader.awaitAll(payments.stream().map(Transaction::id).toList(), Duration.ofSeconds(90), Duration.ofSeconds(1));
          } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the restarted engine printed:\n" + again.output(), e);
          }
          Map<String, DecisionReader.Seen> seen = reader.seen();
          assertEquals(payments.size(), reader.records(), "each payment decided once, before and after the restart");
          // The users' state survived: the payments after the restart see the history before it.
          reader.assertUserFeaturesAre(OfflineReplay.replay(payments, TestModels.SECRET).subList(300, 600));
        }
      } finally {
        again.terminate();
        again.awaitExit(Duration.ofSeconds(60));
      }
      assertEquals(identities, userStateIdentities(stateDir), "the restart opened the stores as they were, without restoring them");
    }
  }

  /**
   * Without {@code --state-dir} and bootstrap servers, {@code run} makes a temporary state
   * directory and a broker with a temporary log; after SIGTERM neither may be left, or every run
   * would leave one of each in the system's temporary directory.
   */
  @Test
  void shouldDeleteItsTemporaryStateAndBrokerLogOnSigterm(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("model.bundle");
    TestModels.bundle().save(model);
    Path temporary = Files.createDirectories(dir.resolve("tmp"));
    EngineProcess engine = EngineProcess.startWithEnvironment(Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + temporary),
        "run", "--model", model.toString(), "--hash-secret", new String(TestModels.SECRET, StandardCharsets.UTF_8), "--http-port", "-1");
    assertSigtermLeavesNothing(engine, "fraudstream is running", Duration.ofSeconds(90), temporary,
        "fraudstream-kafka-", "fraudstream-state-");
  }

  /**
   * {@code demo --stay} runs until Ctrl-C. Its broker log and its one temporary directory (engine
   * state, rules, warm-up) must go with it then too, not only when it finishes by itself: its
   * engine, broker and directory are closed by the demo's own code, which the JVM's shutdown
   * has to wait for.
   */
  @Test
  void shouldDeleteTheDemosTemporaryFilesWhenStoppedWhileStaying(@TempDir Path dir) throws Exception {
    Path temporary = Files.createDirectories(dir.resolve("tmp"));
    EngineProcess demo = EngineProcess.startWithEnvironment(Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + temporary),
        "demo", "--users", "50", "--days", "2", "--train-users", "300", "--train-days", "10", "--warm-up", "0", "--rate", "0",
        "--console-port", "0", "--save-model", dir.resolve("model.bundle").toString(), "--stay");
    assertSigtermLeavesNothing(demo, "Ctrl-C to stop", Duration.ofSeconds(180), temporary, "fraudstream-demo-", "fraudstream-kafka-");
  }

  /**
   * Once {@code process} prints {@code ready}, it has made in {@code temporary} one entry for each
   * of {@code prefixes} (in their sorted order) and nothing else of fraudstream's; after SIGTERM
   * it stops cleanly and none is left.
   */
  private static void assertSigtermLeavesNothing(EngineProcess process, String ready, Duration startup, Path temporary, String... prefixes)
      throws Exception {
    try {
      process.awaitOutput(ready, startup);
      List<String> made = fraudstreamEntries(temporary);
      assertEquals(prefixes.length, made.size(), "one of each of " + List.of(prefixes) + ": " + made);
      for (int i = 0; i < prefixes.length; i++) {
        assertTrue(made.get(i).startsWith(prefixes[i]), made.toString());
      }
    } finally {
      process.terminate();
    }
    // 143 = 128 + SIGTERM, after the shutdown hooks ran.
    assertEquals(143, process.awaitExit(Duration.ofSeconds(90)), process.output());
    assertTrue(process.output().contains("fraudstream engine stopped cleanly"), process.output());
    assertEquals(List.of(), fraudstreamEntries(temporary), process.output());
  }

  /** The names of what fraudstream made in {@code dir}, sorted; other libraries unpack native code there too. */
  static List<String> fraudstreamEntries(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("fraudstream-")).sorted().toList();
    }
  }

  private static Map<Path, String> userStateIdentities(Path stateDir) throws IOException {
    try (Stream<Path> files = Files.walk(stateDir)) {
      Map<Path, String> identities = new TreeMap<>();
      for (Path file : files.filter(f -> f.endsWith(Path.of("rocksdb", FraudTopology.USER_STATE_STORE, "IDENTITY"))).toList()) {
        identities.put(stateDir.relativize(file), Files.readString(file));
      }
      return identities;
    }
  }
}
