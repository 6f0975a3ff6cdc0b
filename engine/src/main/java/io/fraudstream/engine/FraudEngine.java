package io.fraudstream.engine;

import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.models.ModelBundle;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running engine: the topology on Kafka Streams, against a cluster that is already up. */
public final class FraudEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FraudEngine.class);
  private final KafkaStreams streams;
  private final CountDownLatch stopped;

  private FraudEngine(KafkaStreams streams, CountDownLatch stopped) {
    this.streams = streams;
    this.stopped = stopped;
  }

  /** Creates missing topics, then starts processing and waits until the engine is running. */
  public static FraudEngine start(EngineConfig config, ModelBundle bundle, Duration startupTimeout) {
    TopicAdmin.ensureTopics(config.clientProperties(), config.topics(), config.partitions());
    DecisionPolicy policy = new DecisionPolicy(bundle, config.blockDuration());
    KafkaStreams streams = new KafkaStreams(FraudTopology.build(config.topics(), policy, EngineMetrics.inMemory(), config.hashSecret(), config.partitions(), config.grace()),
        config.streamsProperties());
    // Payments are never skipped: an error the engine cannot handle stops it, loudly, and a
    // restart resumes from the last commit rather than replaying the same failure in a loop.
    streams.setUncaughtExceptionHandler(error -> {
      LOG.error("Stream thread failed; stopping the engine", error);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
        stopped.countDown();
      }
    });
    streams.start();
    FraudEngine engine = new FraudEngine(streams, stopped);
    engine.awaitRunning(startupTimeout);
    LOG.info("fraudstream engine running with model {} ({})", bundle.version(), config);
    return engine;
  }

  private void awaitRunning(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (!streams.state().isRunningOrRebalancing() && streams.state() != KafkaStreams.State.CREATED) {
        throw new IllegalStateException("the engine stopped while starting: state " + streams.state());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the engine did not reach RUNNING within " + timeout + " (state " + streams.state() + ")");
      }
      try {
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting", e);
      }
    }
  }

  /** Blocks until the engine has stopped, by {@link #close()} or by a fatal error. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** Stops processing, committing what was processed and flushing state. */
  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
