package io.fraudstream.engine.kafka;

import java.nio.file.Path;
import java.util.Map;

/**
 * A broker in a JVM of its own, for tests in which the broker must go away and come back, and for
 * benchmarks that run broker, engine and load apart as users do:
 * {@code BrokerMain LOG_DIR BROKER_PORT CONTROLLER_PORT}, or, as one node of a three-node cluster,
 * {@code BrokerMain LOG_DIR BROKER_PORT CONTROLLER_PORT NODE_ID VOTERS CLUSTER_ID} (see
 * {@link EmbeddedKafkaBroker#startClusterNode}). It keeps its log directory, so a restart on the
 * same ports resumes the same cluster.
 */
public final class BrokerMain {

  private BrokerMain() {}

  public static void main(String[] args) throws InterruptedException {
    Path logDir = Path.of(args[0]);
    int brokerPort = Integer.parseInt(args[1]);
    int controllerPort = Integer.parseInt(args[2]);
    EmbeddedKafkaBroker broker = args.length == 6
        ? EmbeddedKafkaBroker.startClusterNode(logDir, Integer.parseInt(args[3]), args[4], args[5], brokerPort, controllerPort)
        : EmbeddedKafkaBroker.start(logDir, false, brokerPort, controllerPort, Map.of());
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
    System.out.println("broker running at " + broker.bootstrapServers());
    Thread.currentThread().join();
  }
}
