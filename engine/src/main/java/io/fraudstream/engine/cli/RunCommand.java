package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.FraudEngine;
import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.answer.DecideSettings;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.models.ModelBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the engine until stopped. On SIGTERM or Ctrl-C the JVM's shutdown hook closes it: Kafka
 * Streams commits, then flushes and closes its stores, so a restart opens them as they are
 * instead of restoring them from the changelogs.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the engine against a Kafka cluster (or an embedded broker) with a model bundle, until stopped.")
final class RunCommand implements Callable<Integer> {

  @Mixin
  EngineOptions engine;

  @Option(names = "--model", defaultValue = "${env:FRAUDSTREAM_MODEL}",
      description = "model bundle file, e.g. the one 'fraudstream demo' saves; a new bundle written there is put in service without a restart (env FRAUDSTREAM_MODEL)")
  Path model;

  @Option(names = "--shadow-model",
      description = "a second bundle scored beside the live one for comparison; it never changes a decision, and is reloaded the same way")
  Path shadowModel;

  @Option(names = "--rules", description = "rules file (syntax in docs/tune.md), reloaded when it changes; a bad file is refused and the previous rules keep serving")
  Path rules;

  @Option(names = "--reload-interval-ms", defaultValue = "5000",
      description = "how often the model, shadow model and rules files are checked for changes (default ${DEFAULT-VALUE})")
  long reloadIntervalMs;

  @Option(names = "--http-host", defaultValue = "0.0.0.0",
      description = "address of the metrics and health endpoints (default ${DEFAULT-VALUE})")
  String httpHost;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "port of /metrics, /health/live and /health/ready; 0 picks a free one, -1 serves none (default ${DEFAULT-VALUE})")
  int httpPort;

  @Option(names = "--decide-deadline-ms", defaultValue = "${env:FRAUDSTREAM_DECIDE_DEADLINE_MS:-250}",
      description = "how long a /v1/decide caller waits for the decision when its request names no deadline, 1-30000 (default ${DEFAULT-VALUE})")
  long decideDeadlineMs;

  @Option(names = "--decide-fallback", defaultValue = "${env:FRAUDSTREAM_DECIDE_FALLBACK:-CHALLENGE}",
      description = "the tier /v1/decide answers, marked as a fallback, past the deadline: ALLOW, CHALLENGE or BLOCK (default ${DEFAULT-VALUE})")
  String decideFallback;

  @Option(names = "--decide-max-in-flight", defaultValue = "${env:FRAUDSTREAM_DECIDE_MAX_IN_FLIGHT:-1000}",
      description = "payments /v1/decide lets wait for their decision at once; more are refused with 429 (default ${DEFAULT-VALUE})")
  int decideMaxInFlight;

  @Option(names = "--decide-callers-file", defaultValue = "${env:FRAUDSTREAM_DECIDE_CALLERS_FILE}",
      description = "a file of name:token lines, the callers /v1/decide takes bearer tokens from; or set FRAUDSTREAM_DECIDE_CALLERS=name:token,…"
          + " (without either, only this machine may call)")
  Path decideCallersFile;

  @Option(names = "--startup-timeout-ms", defaultValue = "${env:FRAUDSTREAM_STARTUP_TIMEOUT_MS:-30000}",
      description = "how long to wait for the Kafka cluster to answer, and then for the engine to run, before giving up with exit code 1 (default ${DEFAULT-VALUE})")
  long startupTimeoutMs;

  @Option(names = "--warm-up", defaultValue = "${env:FRAUDSTREAM_WARM_UP:-20000}",
      description = "synthetic payments decided apart from the cluster before taking partitions, so that the first real ones are "
          + "decided as fast as later ones; 0 starts cold (default ${DEFAULT-VALUE}, about 3 s; env FRAUDSTREAM_WARM_UP)")
  int warmUp;

  @Override
  public Integer call() throws Exception {
    if (warmUp < 0) {
      throw new IllegalArgumentException("--warm-up must be 0 or more payments, got " + warmUp);
    }
    if (model == null) {
      throw new IllegalArgumentException("no model: pass --model FILE or set FRAUDSTREAM_MODEL (train one with 'fraudstream train' or 'fraudstream demo')");
    }
    // Settings first: they are checked in an instant, a bundle takes a moment to load.
    DecideSettings decide = new DecideSettings(Duration.ofMillis(decideDeadlineMs), fallbackTier(decideFallback), decideMaxInFlight,
        DecideSettings.defaults().remembered(), TokenFiles.load(decideCallersFile, "--decide-callers-file", "FRAUDSTREAM_DECIDE_CALLERS"));
    EngineConfig config = engine.toConfig(null, null)
        .withServing(new EngineConfig.Serving(model, shadowModel, rules, Duration.ofMillis(reloadIntervalMs), httpHost, httpPort, decide));
    ModelBundle bundle = ModelBundle.load(model);
    // Made only now, so that a refused setting or bundle leaves nothing behind; deleted when the engine stops.
    TemporaryDirectory temporaryState = config.stateDir() == null ? TemporaryDirectory.create("fraudstream-state-") : null;
    if (temporaryState != null) {
      config = config.withStateDir(temporaryState.path());
    }
    EmbeddedKafkaBroker broker = null;
    FraudEngine running;
    try {
      if (config.bootstrapServers() == null) {
        broker = EmbeddedKafkaBroker.startTemporary();
        config = config.withBootstrapServers(broker.bootstrapServers());
        System.out.println("Started an embedded Kafka broker at " + broker.bootstrapServers());
      }
      running = FraudEngine.start(config, bundle, Duration.ofMillis(startupTimeoutMs), warmUp);
    } catch (Exception | Error e) {
      closeAll(null, broker, temporaryState);
      throw e;
    }
    EmbeddedKafkaBroker ownedBroker = broker;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(running, ownedBroker, temporaryState), "fraudstream-shutdown"));
    System.out.println("fraudstream is running with model " + bundle.version() + " on " + config.bootstrapServers()
        + "; reading '" + config.topics().transactions() + "'"
        + (running.httpPort() >= 0 ? "; metrics, health and /v1/decide on port " + running.httpPort() : "") + ". Stop with Ctrl-C or SIGTERM.");
    running.awaitStopped();
    // Reached on shutdown (the hook closed the engine) or when a fatal error stopped it.
    return running.failed() ? 1 : 0;
  }

  private static Tier fallbackTier(String name) {
    try {
      return Tier.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--decide-fallback must be ALLOW, CHALLENGE or BLOCK, got '" + name + "'");
    }
  }

  /** Stops what this command started, in the order that lets each finish: engine, broker, then the state they wrote. */
  private static void closeAll(FraudEngine running, EmbeddedKafkaBroker broker, TemporaryDirectory temporaryState) {
    if (running != null) {
      running.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (temporaryState != null) {
      temporaryState.close();
    }
  }
}
