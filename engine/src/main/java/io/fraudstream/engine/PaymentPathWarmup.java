package io.fraudstream.engine;

import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.engine.topology.DeadLetterHandler;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.data.SyntheticGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Runs synthetic payments through the engine's own topology before the engine takes partitions,
 * so that the payment path is compiled by the JIT, its classes loaded and RocksDB's native code
 * paged in while no payment waits. Measured in a production shape (2 cores, 1,000 payments/s), a
 * cold engine fell so far behind in its first minute that payments waited 14 s at the median
 * (benchmarks/RESULTS.md, 2026-12-07).
 *
 * <p>The payments go through a {@link TopologyTestDriver}: the same processors, serdes and
 * stores as serving, over a state directory of its own that is deleted afterwards, with the
 * policy in service but metrics of its own, so nothing of the warm-up reaches the cluster, the
 * engine's stores or its meters. Only the Kafka clients' network paths stay cold.
 */
public final class PaymentPathWarmup {

  /** About what C2 needs to compile the per-payment methods (its thresholds are some 10,000 calls). */
  public static final int DEFAULT_PAYMENTS = 20_000;
  private static final int USERS = 2_000;
  private static final int DRAIN_EVERY = 2_000;
  private static final Duration WALL_CLOCK_STEP = Duration.ofMillis(50);

  private PaymentPathWarmup() {}

  /** What a warm-up did: the decisions written, and how long it took. */
  record Result(int decided, Duration took) {}

  /**
   * Decides {@code payments} synthetic payments with {@code policy} through the engine's topology
   * as {@code config} builds it.
   */
  static Result run(EngineConfig config, DecisionPolicy policy, Pseudonymiser pseudonymiser, int payments) {
    long start = System.nanoTime();
    int decided = 0;
    if (payments <= 0) {
      return new Result(0, Duration.ZERO);
    }
    EngineMetrics metrics = EngineMetrics.inMemory();
    try (TemporaryDirectory state = TemporaryDirectory.create("fraudstream-warmup-")) {
      Properties props = new Properties();
      props.putAll(config.streamsProperties());
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId() + "-warmup");
      props.put(StreamsConfig.STATE_DIR_CONFIG, state.path().toString());
      DeadLetterHandler.install(props, config.topics(), metrics);
      Instant now = Instant.now();
      try (TopologyTestDriver driver = new TopologyTestDriver(FraudTopology.build(config.topics(), policy, metrics, pseudonymiser,
          config.partitions(), config.grace(), config.acceptedTimes(), config.challenges()), props, now)) {
        TestInputTopic<String, byte[]> input = driver.createInputTopic(config.topics().transactions(), new StringSerializer(),
            new ByteArraySerializer());
        List<Transaction> synthetic = payments(payments, now);
        for (int i = 0; i < synthetic.size(); i++) {
          Transaction tx = synthetic.get(i);
          input.pipeInput(tx.user(), TransactionJson.write(tx), tx.timestamp());
          if (i % DRAIN_EVERY == DRAIN_EVERY - 1) {
            // The driver keeps every record written; read them, so the warm-up holds no more than a few thousand.
            driver.advanceWallClockTime(WALL_CLOCK_STEP);
            decided += drain(driver, config.topics().decisions());
          }
        }
        decided += drain(driver, config.topics().decisions());
      }
    }
    return new Result(decided, Duration.ofNanos(System.nanoTime() - start));
  }

  /** Synthetic payments of a few thousand users, moved in time so that the last is now, as a live feed's are. */
  static List<Transaction> payments(int count, Instant now) {
    List<Transaction> generated = SyntheticGenerator.first(count, USERS, 17);
    Duration shift = Duration.between(generated.get(count - 1).timestamp(), now);
    List<Transaction> moved = new ArrayList<>(count);
    for (Transaction tx : generated) {
      moved.add(tx.liveAt(tx.id(), tx.timestamp().plus(shift)));
    }
    return moved;
  }

  /** Reads every record the driver holds; returns how many were on {@code counted}. */
  private static int drain(TopologyTestDriver driver, String counted) {
    int count = 0;
    for (String topic : driver.producedTopicNames()) {
      int read = driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList().size();
      count += topic.equals(counted) ? read : 0;
    }
    return count;
  }
}
