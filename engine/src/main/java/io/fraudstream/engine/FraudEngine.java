package io.fraudstream.engine;

import io.fraudstream.engine.answer.DecideEndpoint;
import io.fraudstream.engine.answer.DecideService;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.kafka.ClusterProbe;
import io.fraudstream.engine.kafka.HandOffPurge;
import io.fraudstream.engine.kafka.HangingTransactions;
import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.engine.serving.OperationsServer;
import io.fraudstream.engine.serving.ServingFiles;
import io.fraudstream.engine.topology.DeadLetterHandler;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.models.ModelBundle;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running engine: the topology on Kafka Streams against a cluster that is already up, with
 * its meters, the files it serves from watched for changes, and its HTTP endpoints.
 *
 * <p>The topology runs as two Kafka Streams applications in this process: the payment path
 * (application id as configured) and what lies off it, entity risk and label judging
 * ({@code <application id>-off-path}), each with its own stream threads, transactions and
 * consumer group (see {@link FraudTopology.Part}). Either stopping stops the engine.
 */
public final class FraudEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FraudEngine.class);
  private final KafkaStreams streams;
  private final KafkaStreams offPath;
  private final CountDownLatch stopped;
  private final AtomicReference<Throwable> fatal;
  private final ThreadReplacements replacements;
  private final DecisionPolicy policy;
  private final PrometheusMeterRegistry registry;
  private final KafkaStreamsMetrics streamsMetrics;
  private final KafkaStreamsMetrics offPathMetrics;
  private final ServingFiles files;
  private final ClusterProbe probe;
  private final HangingTransactions hangingTransactions;
  private final HandOffPurge purge;
  private final OperationsServer server;
  private final DecideService decide;
  private final Path stateDir;

  private FraudEngine(KafkaStreams streams, KafkaStreams offPath, CountDownLatch stopped, AtomicReference<Throwable> fatal,
      ThreadReplacements replacements, DecisionPolicy policy, PrometheusMeterRegistry registry, KafkaStreamsMetrics streamsMetrics, KafkaStreamsMetrics offPathMetrics,
      ServingFiles files, ClusterProbe probe, HangingTransactions hangingTransactions, HandOffPurge purge, OperationsServer server,
      DecideService decide, Path stateDir) {
    this.decide = decide;
    this.stateDir = stateDir;
    this.hangingTransactions = hangingTransactions;
    this.purge = purge;
    this.streams = streams;
    this.offPath = offPath;
    this.offPathMetrics = offPathMetrics;
    this.stopped = stopped;
    this.fatal = fatal;
    this.replacements = replacements;
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
    EngineMetrics.warnIfNotWatched(policy.model().bundle());
    if (policy.shadowModel() != null) {
      metrics.modelInService("shadow", policy.shadowModel().version(), policy.shadowModel().provenanceId());
    }
    FraudTopology.HandOff handOff = FraudTopology.HandOff.of(config.applicationId());
    // No time-based retention: the records carry payment times, months old in a replay; what the
    // off-path application has committed is deleted instead (HandOffPurge).
    TopicAdmin.ensureTopics(config.clientProperties(), handOff.all(), config.partitions(), Set.of(),
        Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"));
    GlobalStoresAfterCrash.prepare(config.stateDir(), List.of(config.applicationId(), offPathApplicationId(config.applicationId())));
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    ThreadReplacements replacements = new ThreadReplacements();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<KafkaStreams> paymentPath = new AtomicReference<>();
    // The decide endpoint is served with the other endpoints, or not at all.
    DecideService decide = serving.httpPort() < 0 ? null
        : DecideService.start(serving.decide(), config.clientProperties(), config.topics(), config.acceptedTimes(), policy, metrics,
            () -> paymentPath.get() != null && paymentPath.get().state().isRunningOrRebalancing(),
            () -> paymentPath.get() == null ? Set.of() : partitionsDecidedHere(paymentPath.get(), config.topics().transactions()));
    KafkaStreams streams;
    KafkaStreams offPath;
    Properties offPathProperties = config.streamsProperties();
    offPathProperties.put(StreamsConfig.APPLICATION_ID_CONFIG, offPathApplicationId(config.applicationId()));
    try {
      streams = streams(FraudTopology.Part.PAYMENT_PATH, config.streamsProperties(), config, handOff, policy, metrics,
          pseudonymiser, fatal, replacements, stopped, decide == null ? decision -> { } : decide::decided);
      paymentPath.set(streams);
      offPath = streams(FraudTopology.Part.OFF_PATH, offPathProperties, config, handOff, policy, metrics, pseudonymiser,
          fatal, replacements, stopped, decision -> { });
    } catch (RuntimeException e) {
      if (paymentPath.get() != null) {
        paymentPath.get().close();
      }
      if (decide != null) {
        decide.close();
      }
      throw e;
    }
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    KafkaStreamsMetrics offPathMetrics = new KafkaStreamsMetrics(offPath);
    offPathMetrics.bindTo(registry);
    ClusterProbe probe = ClusterProbe.watch(config.clientProperties());
    OperationsServer server;
    try {
      server = serving.httpPort() < 0 ? null
          : OperationsServer.start(serving.httpHost(), serving.httpPort(), registry, () -> state(streams, offPath), probe::reachable, policy,
              Map.of(DecideEndpoint.PATH, decide.endpoint()));
    } catch (RuntimeException e) {
      probe.close();
      decide.close();
      streams.close();
      offPath.close();
      throw e;
    }
    offPath.start();
    streams.start();
    // After a single broker killed with -9 a partition can keep a transaction open for good
    // (docs/faults.md). Aborting one drops its records, so the watchdog touches
    // only what the engine writes again: its changelogs and hand-offs, and the entities' published
    // risk. Never a topic users read as the record (decisions, alerts, blocks, dead letters).
    HangingTransactions hangingTransactions = HangingTransactions.watch(config.clientProperties(),
        () -> streams.state() == KafkaStreams.State.REBALANCING || offPath.state() == KafkaStreams.State.REBALANCING,
        writtenAgain(config), metrics::abortedHangingTransaction);
    HandOffPurge purge = HandOffPurge.start(config.clientProperties(), offPathApplicationId(config.applicationId()), handOff.all(),
        Duration.ofMillis(new StreamsConfig(offPathProperties, false) { }.getLong(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG)));
    ServingFiles files = ServingFiles.watch(policy, metrics, serving.model(), serving.shadowModel(), serving.rules(),
        pseudonymiser, serving.reloadInterval());
    FraudEngine engine = new FraudEngine(streams, offPath, stopped, fatal, replacements, policy, registry, streamsMetrics, offPathMetrics, files,
        probe, hangingTransactions, purge, server, decide, config.stateDir());
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

  /**
   * One part of the topology on Kafka Streams, dead letters diverted, its thread errors handled
   * and its stopping noted in {@code stopped}.
   */
  private static KafkaStreams streams(FraudTopology.Part part, Properties properties, EngineConfig config, FraudTopology.HandOff handOff,
      DecisionPolicy policy, EngineMetrics metrics, Pseudonymiser pseudonymiser, AtomicReference<Throwable> fatal, ThreadReplacements replacements, CountDownLatch stopped,
      Consumer<Decision> onDecided) {
    DeadLetterHandler.install(properties, config.topics(), metrics);
    KafkaStreams streams = new KafkaStreams(FraudTopology.build(part, config.topics(), handOff, policy, metrics, pseudonymiser,
        config.partitions(), config.grace(), config.acceptedTimes(), config.challenges(), onDecided), properties);
    // Bad records never reach this handler (DeadLetterHandler diverts them); what does is an error
    // of the thread itself. Under exactly-once a new thread resumes from the last commit, so it is
    // replaced, but only a few times: a thread that keeps dying stops the engine, loudly.
    streams.setUncaughtExceptionHandler(error -> {
      if (replacements.allowAnother(System.nanoTime(), error)) {
        metrics.streamThreadReplaced();
        LOG.error("Stream thread failed; replacing it ({} of {} allowed in {} min)", replacements.recent(),
            ThreadReplacements.ALLOWED, ThreadReplacements.WINDOW.toMinutes(), error);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      }
      fatal.compareAndSet(null, error);
      LOG.error("FATAL: stream threads keep failing; stopping the engine", error);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
        stopped.countDown();
      }
    });
    return streams;
  }

  /** The partitions of the transactions topic this process's payment path decides, running; none otherwise. */
  private static Set<Integer> partitionsDecidedHere(KafkaStreams streams, String transactions) {
    if (streams.state() != KafkaStreams.State.RUNNING) {
      return Set.of();
    }
    Set<Integer> here = new HashSet<>();
    streams.metadataForLocalThreads().forEach(thread -> thread.activeTasks().forEach(task -> task.topicPartitions().forEach(partition -> {
      if (partition.topic().equals(transactions)) {
        here.add(partition.partition());
      }
    })));
    return here;
  }

  private void awaitRunning(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (state() != KafkaStreams.State.RUNNING) {
      if (!state().isRunningOrRebalancing() && state() != KafkaStreams.State.CREATED) {
        throw new IllegalStateException("the engine stopped while starting: state " + state());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the engine did not reach RUNNING within " + timeout + " (state " + state() + ")");
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
    return fatal.get() != null || state() == KafkaStreams.State.ERROR || state() == KafkaStreams.State.PENDING_ERROR;
  }

  /** The error of the last stream thread that failed and was replaced (or stopped the engine), if any has. */
  public Optional<Throwable> lastThreadError() {
    return replacements.last();
  }

  /** The payment path's Kafka Streams application. */
  public KafkaStreams streams() {
    return streams;
  }

  /** The engine's state: the payment path's, unless what lies off it is in a worse one. */
  public KafkaStreams.State state() {
    return state(streams, offPath);
  }

  private static KafkaStreams.State state(KafkaStreams paymentPath, KafkaStreams offPath) {
    KafkaStreams.State payments = paymentPath.state();
    KafkaStreams.State off = offPath.state();
    boolean offStopping = !off.isRunningOrRebalancing() && off != KafkaStreams.State.CREATED;
    return payments == KafkaStreams.State.RUNNING || offStopping ? off : payments;
  }

  /** The application id of the part off the payment path: entity risk and label judging. */
  public static String offPathApplicationId(String applicationId) {
    return applicationId + "-off-path";
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
    // The payment path first, so that its last hand-offs are committed while the other still reads.
    boolean closed = streams.close(Duration.ofSeconds(30));
    closed &= offPath.close(Duration.ofSeconds(30));
    streamsMetrics.close();
    offPathMetrics.close();
    hangingTransactions.close();
    purge.close();
    probe.close();
    if (server != null) {
      server.close();
      decide.close();
    }
    if (failed()) {
      LOG.error("fraudstream engine stopped after a fatal error: {}", fatal.get() == null ? "state " + state() : fatal.get().toString());
    } else {
      if (closed) {
        GlobalStoresAfterCrash.stoppedCleanly(stateDir);
      }
      LOG.info(closed ? "fraudstream engine stopped cleanly" : "fraudstream engine did not stop within 30 s");
    }
  }

  /**
   * The topics whose records the engine writes again if a transaction's are lost: its internal
   * topics (changelogs, hand-offs) and the entities' published risk. Never the topics users write
   * or read as the record (payments, decisions, alerts, blocks, dead letters), whatever they are
   * called.
   */
  static Predicate<String> writtenAgain(EngineConfig config) {
    Topics topics = config.topics();
    return topic -> topic.equals(topics.entityRisk())
        || topic.startsWith(config.applicationId() + "-") && !topics.all().contains(topic);
  }
}
