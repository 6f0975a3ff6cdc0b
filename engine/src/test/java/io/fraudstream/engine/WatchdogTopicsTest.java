package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hanging-transactions watchdog may drop records only where the engine writes them again. */
class WatchdogTopicsTest {

  @Test
  void shouldLeaveTheTopicsUsersReadAsTheRecordAloneWhateverTheyAreCalled(@TempDir Path stateDir) {
    EngineConfig defaults = EngineConfig.defaults("127.0.0.1:9", stateDir, new String(TestModels.SECRET, StandardCharsets.UTF_8));
    // Output topics named like the engine's internal ones, which a prefix alone would take for its own.
    EngineConfig prefixed = new EngineConfig(defaults.bootstrapServers(), defaults.applicationId(),
        defaults.topics().prefixed(defaults.applicationId() + "-"), stateDir, defaults.hashSecret(), defaults.blockDuration(),
        defaults.partitions(), defaults.streamThreads(), defaults.processingGuarantee(), defaults.profile(), defaults.commitInterval(),
        defaults.grace(), defaults.acceptedTimes(), defaults.kafka(), defaults.serving(), defaults.challenges());
    for (EngineConfig config : List.of(defaults, prefixed)) {
      Predicate<String> writtenAgain = FraudEngine.writtenAgain(config);
      for (String record : List.of(config.topics().decisions(), config.topics().alerts(), config.topics().blocks(),
          config.topics().deadLetters())) {
        assertFalse(writtenAgain.test(record), record);
      }
      assertFalse(writtenAgain.test(config.topics().transactions()), "an input is the payment service's, not the engine's");
      assertTrue(writtenAgain.test(config.topics().entityRisk()));
      assertTrue(writtenAgain.test(config.applicationId() + "-user-state-changelog"));
      assertTrue(writtenAgain.test(config.applicationId() + "-off-path-entity-events-repartition"));
    }
  }
}
