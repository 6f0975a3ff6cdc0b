package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.features.Transaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up decides its payments through the engine's own topology, and leaves nothing behind. */
class PaymentPathWarmupTest {

  @Test
  void shouldDecideEverySyntheticPaymentApartFromTheClusterAndLeaveNoState(@TempDir Path stateDir) throws IOException {
    // No broker listens there: a warm-up that tried to reach the cluster would fail or hang.
    EngineConfig config = EngineConfig.defaults("127.0.0.1:9", stateDir, new String(TestModels.SECRET, StandardCharsets.UTF_8));
    String tmp = System.getProperty("java.io.tmpdir");
    List<Path> before = warmupDirectories(tmp);

    PaymentPathWarmup.Result result = PaymentPathWarmup.run(config, new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24)),
        TestModels.PSEUDONYMISER, 3_000);

    assertEquals(3_000, result.decided(), "every synthetic payment is valid and decided");
    assertEquals(before, warmupDirectories(tmp), "the warm-up's state directory is deleted");
    try (Stream<Path> files = Files.list(stateDir)) {
      assertEquals(0, files.count(), "nothing is written to the engine's own state directory");
    }
  }

  @Test
  void shouldStampThePaymentsAsALiveFeedEndingNow() {
    Instant now = Instant.parse("2026-12-07T12:00:00Z");
    List<Transaction> payments = PaymentPathWarmup.payments(5_000, now);
    assertEquals(5_000, payments.size());
    assertEquals(now, payments.get(payments.size() - 1).timestamp());
    for (int i = 1; i < payments.size(); i++) {
      assertTrue(!payments.get(i).timestamp().isBefore(payments.get(i - 1).timestamp()), "in time order");
    }
    assertTrue(payments.stream().allMatch(tx -> tx.label() == null), "no ground truth in a live feed");
  }

  private static List<Path> warmupDirectories(String tmp) throws IOException {
    try (Stream<Path> all = Files.list(Path.of(tmp))) {
      return all.filter(path -> path.getFileName().toString().startsWith("fraudstream-warmup-")).sorted().toList();
    }
  }
}
