package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.FraudEngine;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.models.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the engine until stopped (Ctrl-C or SIGTERM), closing it cleanly. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the engine against a Kafka cluster (or an embedded broker) with a model bundle, until stopped.")
final class RunCommand implements Callable<Integer> {

  @Mixin
  EngineOptions engine;

  @Option(names = "--model", required = true, defaultValue = "${env:FRAUDSTREAM_MODEL}",
      description = "model bundle file, e.g. the one 'fraudstream demo' saves (env FRAUDSTREAM_MODEL)")
  Path model;

  @Override
  public Integer call() throws Exception {
    ModelBundle bundle = ModelBundle.load(model);
    EngineConfig config = engine.toConfig(Files.createTempDirectory("fraudstream-state-"), null);
    EmbeddedKafkaBroker broker = null;
    if (config.bootstrapServers() == null) {
      broker = EmbeddedKafkaBroker.startTemporary();
      config = config.withBootstrapServers(broker.bootstrapServers());
      System.out.println("Started an embedded Kafka broker at " + broker.bootstrapServers());
    }
    FraudEngine running = FraudEngine.start(config, bundle, Duration.ofMinutes(2));
    EmbeddedKafkaBroker ownedBroker = broker;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      if (ownedBroker != null) {
        ownedBroker.close();
      }
    }, "fraudstream-shutdown"));
    System.out.println("fraudstream is running with model " + bundle.version() + " on " + config.bootstrapServers()
        + "; reading '" + config.topics().transactions() + "'. Stop with Ctrl-C.");
    running.awaitStopped();
    // Reached on shutdown (the hook closed the engine) or when a fatal error stopped it.
    return running.streams().state() == org.apache.kafka.streams.KafkaStreams.State.ERROR ? 1 : 0;
  }
}
