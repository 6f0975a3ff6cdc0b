package io.fraudstream.engine;

import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.models.ModelBundle;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running engine: the topology on Kafka Streams against a cluster that is already up, with
 * its meters, the files it serves from watched for changes, and its HTTP endpoints.
 */
public final class FraudEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FraudEngine.class);
  private final KafkaStreams streams;
  private final CountDownLatch stopped;
  private final DecisionPolicy policy;
  private final PrometheusMeterRegistry registry;
  private final KafkaStreamsMetrics streamsMetrics;
  private final ServingFiles files;
  private final OperationsServer server;

  private FraudEngine(KafkaStreams streams, CountDownLatch stopped, DecisionPolicy policy, PrometheusMeterRegistry registry,
      KafkaStreamsMetrics streamsMetrics, ServingFiles files, OperationsServer server) {
    this.streams = streams;
    this.stopped = stopped;
    this.policy = policy;
    this.registry = registry;
    this.streamsMetrics = streamsMetrics;
    this.files = files;
    this.server = server;
  }

  /**
   * Creates missing topics, then starts processing and waits until the engine is running.
   *
   * @param bundle the live model, already loaded (from {@code config.serving().model()} when set)
   */
  public static FraudEngine start(EngineConfig config, ModelBundle bundle, Duration startupTimeout) {
    EngineConfig.Serving serving = config.serving();
    Rules rules = serving.rules() == null ? Rules.none() : Rules.load(serving.rules(), new IdentifierHasher(config.hashSecret()));
    DecisionPolicy policy = new DecisionPolicy(bundle, rules, config.blockDuration());
    if (serving.shadowModel() != null) {
      policy.useShadow(ModelBundle.load(serving.shadowModel()));
    }
    TopicAdmin.ensureTopics(config.clientProperties(), config.topics(), config.partitions());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineMetrics metrics = new EngineMetrics(registry);
    metrics.modelInService("live", policy.model().version(), policy.model().provenanceId());
    if (policy.shadowModel() != null) {
      metrics.modelInService("shadow", policy.shadowModel().version(), policy.shadowModel().provenanceId());
    }
    KafkaStreams streams = new KafkaStreams(
        FraudTopology.build(config.topics(), policy, metrics, config.hashSecret(), config.partitions(), config.grace()),
        config.streamsProperties());
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
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
    OperationsServer server;
    try {
      server = serving.httpPort() < 0 ? null
          : OperationsServer.start(serving.httpHost(), serving.httpPort(), registry, streams::state, policy);
    } catch (RuntimeException e) {
      streams.close();
      throw e;
    }
    streams.start();
    ServingFiles files = ServingFiles.watch(policy, metrics, serving.model(), serving.shadowModel(), serving.rules(),
        config.hashSecret(), serving.reloadInterval());
    FraudEngine engine = new FraudEngine(streams, stopped, policy, registry, streamsMetrics, files, server);
    try {
      engine.awaitRunning(startupTimeout);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    LOG.info("fraudstream engine running with model {} ({}), rules {} ({})", bundle.version(), bundle.provenanceId(),
        rules.version(), config);
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

  /** The policy in service, whose model, shadow and rules the watched files replace. */
  public DecisionPolicy policy() {
    return policy;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Port of the metrics and health endpoints, or -1 when none are served. */
  public int httpPort() {
    return server == null ? -1 : server.port();
  }

  /**
   * Stops processing: Kafka Streams commits what was processed and flushes its stores (with
   * their checkpoints), then the endpoints and the file watch stop.
   */
  @Override
  public void close() {
    files.close();
    boolean clean = streams.close(Duration.ofSeconds(30));
    streamsMetrics.close();
    if (server != null) {
      server.close();
    }
    LOG.info(clean ? "fraudstream engine stopped cleanly" : "fraudstream engine did not stop within 30 s");
  }
}
