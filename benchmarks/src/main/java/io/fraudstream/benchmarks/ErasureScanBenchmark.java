package io.fraudstream.benchmarks;

import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.engine.topology.InputWindow;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.EntityEvent;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.streams.EntityRiskProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * What an erasure costs the entity task that hears of it: every entity state of the partition is
 * read, and those that remember the user are written and published again. The part of the engine
 * off the payment path, with its RocksDB stores and record caches, in a {@link TopologyTestDriver}
 * (so no commit or network is counted): {@code entities} merchants of one partition, each paid by
 * eight users of a pool, then batches of erasures, each batch heard within one publishing interval.
 *
 * <p>Usage: {@code ErasureScanBenchmark [entities=100000] [batches=7] [batch=1]}. The last line is {@code SUMMARY}.
 */
public final class ErasureScanBenchmark {

  private ErasureScanBenchmark() {}

  public static void main(String[] args) throws Exception {
    int entities = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int batches = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Topics topics = Topics.defaults();
    FraudTopology.HandOff handOff = FraudTopology.HandOff.of("erasure-scan");
    try (TemporaryDirectory state = TemporaryDirectory.create("fraudstream-erasure-scan")) {
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "erasure-scan");
      props.put(StreamsConfig.STATE_DIR_CONFIG, state.path().toString());
      Pseudonymiser pseudonymiser = new Pseudonymiser("erasure-scan-secret".getBytes(StandardCharsets.UTF_8));
      try (TopologyTestDriver driver = new TopologyTestDriver(FraudTopology.build(FraudTopology.Part.OFF_PATH, topics, handOff, null,
          EngineMetrics.inMemory(), pseudonymiser, 1, Duration.ZERO, InputWindow.defaults(), ChallengePolicy.defaults()), props)) {
        TestInputTopic<String, byte[]> events = driver.createInputTopic(handOff.entityEvents(), new StringSerializer(), new ByteArraySerializer());
        SplittableRandom random = new SplittableRandom(42);
        Instant time = Instant.parse("2026-12-01T00:00:00Z");
        long fill = System.nanoTime();
        for (int e = 0; e < entities; e++) {
          for (int u = 0; u < 8; u++) {
            long user = random.nextInt(entities);
            events.pipeInput(EntityKind.MERCHANT.riskKey("m-" + e), EntityEvent.payment(time.toEpochMilli(), 10, user).toBytes(), time);
          }
          time = time.plusMillis(10);
          if (e % 1_000 == 0) {
            driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
          }
        }
        driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
        System.out.printf(Locale.ROOT, "%,d entities filled in %.1f s%n", entities, (System.nanoTime() - fill) / 1e9);
        double[] millis = new double[batches];
        for (int i = 0; i < batches; i++) {
          long started = System.nanoTime();
          for (int k = 0; k < batch; k++) {
            events.pipeInput(EntityRiskProcessor.FORGET_USER_KEY, EntityEvent.forgetUser(random.nextInt(entities)).toBytes(), time);
          }
          driver.advanceWallClockTime(EntityRiskProcessor.PUBLISH_INTERVAL);
          millis[i] = (System.nanoTime() - started) / 1e6;
          System.out.printf(Locale.ROOT, "batch %d of %d erasures: %.1f ms%n", i + 1, batch, millis[i]);
        }
        Arrays.sort(millis);
        double median = millis[batches / 2];
        System.out.printf(Locale.ROOT, "SUMMARY {\"entities\":%d,\"batches\":%d,\"batch\":%d,\"medianMillis\":%.1f,\"microsPerEntity\":%.2f}%n",
            entities, batches, batch, median, median * 1000 / entities);
      }
    }
  }
}
