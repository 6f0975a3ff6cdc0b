package io.fraudstream.engine;

import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.kafka.ClusterProbe;
import io.fraudstream.engine.kafka.HangingTransactions;
import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.engine.serving.OperationsServer;
import io.fraudstream.engine.serving.ServingFiles;
import io.fraudstream.engine.topology.DeadLetterHandler;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.models.ModelBundle;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
  private final AtomicReference<Throwable> fatal;
  private final DecisionPolicy policy;
  private final PrometheusMeterRegistry registry;
  private final KafkaStreamsMetrics streamsMetrics;
  private final ServingFiles files;
  private final ClusterProbe probe;
  private final HangingTransactions hangingTransactions;
  private final OperationsServer server;

  private FraudEngine(KafkaStreams streams, CountDownLatch stopped, AtomicReference<Throwable> fatal, DecisionPolicy policy,
      PrometheusMeterRegistry registry, KafkaStreamsMetrics streamsMetrics, ServingFiles files, ClusterProbe probe,
      HangingTransactions hangingTransactions, OperationsServer server) {
    this.hangingTransactions = hangingTransactions;
    this.streams = streams;
    this.stopped = stopped;
    this.fatal = fatal;
    this.probe = probe;
    this.policy = policy;
    this.registry = registry;
    this.streamsMetrics = streamsMetrics;
    this.files = files;
    this.server = server;
  }

  /**
   * Checks that the cluster answers, creates missing topics, then starts processing and waits
   * until the engine is running, each step within {@code startupTimeout}.
   *
   * @param bundle the live model, already loaded (from {@code config.serving().model()} when set)
   */
  public static FraudEngine start(EngineConfig config, ModelBundle bundle, Duration startupTimeout) {
    return start(config, bundle, startupTimeout, 0);
  }

  /**
   * As {@link #start(EngineConfig, ModelBundle, Duration)}, first deciding {@code warmupPayments}
   * synthetic payments apart from the cluster ({@link PaymentPathWarmup}), so that the first real
   * payments are decided as fast as later ones; 0 skips it.
   */
  public static FraudEngine start(EngineConfig config, ModelBundle bundle, Duration startupTimeout, int warmupPayments) {
    EngineConfig.Serving serving = config.serving();
    // The secret goes no further than this: everything that pseudonymises gets the one pseudonymiser.
    Pseudonymiser pseudonymiser = new Pseudonymiser(config.hashSecret());
    Rules rules = serving.rules() == null ? Rules.none() : Rules.load(serving.rules(), pseudonymiser.newHasher());
    DecisionPolicy policy = new DecisionPolicy(bundle, rules, config.blockDuration());
    if (serving.shadowModel() != null) {
      policy.useShadow(ModelBundle.load(serving.shadowModel()));
    }
    ClusterProbe.requireReachable(config.clientProperties(), startupTimeout);
    if (warmupPayments > 0) {
      PaymentPathWarmup.Result warmup = PaymentPathWarmup.run(config, policy, pseudonymiser, warmupPayments);
      LOG.info("Warmed the payment path: {} synthetic payments decided apart from the cluster in {} ms", warmup.decided(),
          warmup.took().toMillis());
    }
    TopicAdmin.ensureTopics(config.clientProperties(), config.topics(), config.partitions());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineMetrics metrics = new EngineMetrics(registry);
    metrics.modelInService("live", policy.model().version(), policy.model().provenanceId());
    if (policy.shadowModel() != null) {
      metrics.modelInService("shadow", policy.shadowModel().version(), policy.shadowModel().provenanceId());
    }
    Properties streamsProperties = config.streamsProperties();
    DeadLetterHandler.install(streamsProperties, config.topics(), metrics);
    KafkaStreams streams = new KafkaStreams(
        FraudTopology.build(config.topics(), policy, metrics, pseudonymiser, config.partitions(), config.grace(),
            config.acceptedTimes(), config.challenges()),
        streamsProperties);
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    // Bad records never reach this handler (DeadLetterHandler diverts them); what does is an error
    // of the thread itself. Under exactly-once a new thread resumes from the last commit, so it is
    // replaced, but only a few times: a thread that keeps dying stops the engine, loudly.
    ThreadReplacements replacements = new ThreadReplacements();
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    streams.setUncaughtExceptionHandler(error -> {
      if (replacements.allowAnother(System.nanoTime())) {
        metrics.streamThreadReplaced();
        LOG.error("Stream thread failed; replacing it ({} of {} allowed in {} min)", replacements.recent(),
            ThreadReplacements.ALLOWED, ThreadReplacements.WINDOW.toMinutes(), error);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      }
      fatal.compareAndSet(null, error);
      LOG.error("FATAL: stream threads keep failing; stopping the engine", error);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
        stopped.countDown();
      }
    });
    ClusterProbe probe = ClusterProbe.watch(config.clientProperties());
    OperationsServer server;
    try {
      server = serving.httpPort() < 0 ? null
          : OperationsServer.start(serving.httpHost(), serving.httpPort(), registry, streams::state, probe::reachable, policy);
    } catch (RuntimeException e) {
      probe.close();
      streams.close();
      throw e;
    }
    streams.start();
    // After a broker killed with -9 a partition can keep a transaction open for good (README,
    // "Fatal errors, start-up and the cluster going away"); only the engine's own topics are touched.
    HangingTransactions hangingTransactions = HangingTransactions.watch(config.clientProperties(),
        () -> streams.state() == KafkaStreams.State.REBALANCING,
        topic -> topic.startsWith(config.applicationId() + "-") || config.topics().all().contains(topic),
        metrics::abortedHangingTransaction);
    ServingFiles files = ServingFiles.watch(policy, metrics, serving.model(), serving.shadowModel(), serving.rules(),
        pseudonymiser, serving.reloadInterval());
    FraudEngine engine = new FraudEngine(streams, stopped, fatal, policy, registry, streamsMetrics, files, probe,
        hangingTransactions, server);
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

  /** Whether the engine stopped, or is stopping, because of an error rather than by {@link #close()}. */
  public boolean failed() {
    return fatal.get() != null || streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.PENDING_ERROR;
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
   * Stops processing: Kafka Streams commits what was processed and flushes and closes its
   * stores, then the endpoints and the file watch stop.
   */
  @Override
  public void close() {
    files.close();
    boolean closed = streams.close(Duration.ofSeconds(30));
    streamsMetrics.close();
    hangingTransactions.close();
    probe.close();
    if (server != null) {
      server.close();
    }
    if (failed()) {
      LOG.error("fraudstream engine stopped after a fatal error: {}", fatal.get() == null ? "state " + streams.state() : fatal.get().toString());
    } else {
      LOG.info(closed ? "fraudstream engine stopped cleanly" : "fraudstream engine did not stop within 30 s");
    }
  }
}
