package io.fraudstream.engine.kafka;

import java.nio.file.Path;
import java.util.Map;

/**
 * A broker in a JVM of its own, for tests in which the broker must go away and come back, and for
 * benchmarks that run broker, engine and load apart as users do:
 * {@code BrokerMain LOG_DIR BROKER_PORT CONTROLLER_PORT}. It keeps its log directory, so a
 * restart on the same ports resumes the same cluster.
 */
public final class BrokerMain {

  private BrokerMain() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), false, Integer.parseInt(args[1]),
        Integer.parseInt(args[2]), Map.of());
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
    System.out.println("broker running at " + broker.bootstrapServers());
    Thread.currentThread().join();
  }
}
