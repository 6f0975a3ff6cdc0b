package io.fraudstream.engine.kafka;

import io.fraudstream.engine.TemporaryDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this process,
 * listening on 127.0.0.1 only. Used when no bootstrap servers are configured, and by the
 * integration tests.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final KafkaRaftServer server;
  private final Path logDir;
  private final boolean deleteOnClose;
  private final String bootstrapServers;

  private EmbeddedKafkaBroker(KafkaRaftServer server, Path logDir, boolean deleteOnClose, String bootstrapServers) {
    this.server = server;
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
    this.bootstrapServers = bootstrapServers;
  }

  /** Starts a broker over a fresh temporary log directory, deleted on close (or when the broker fails to start). */
  public static EmbeddedKafkaBroker startTemporary() {
    TemporaryDirectory logDir = TemporaryDirectory.create("fraudstream-kafka-");
    try {
      return start(logDir.path(), true);
    } catch (RuntimeException | Error e) {
      logDir.close();
      throw e;
    }
  }

  /**
   * Starts a broker over {@code logDir}, formatting it first unless it already holds a broker's
   * data (formatting again would give it a new cluster id and fail).
   */
  public static EmbeddedKafkaBroker start(Path logDir, boolean deleteOnClose) {
    int[] ports = freePorts(2);
    return start(logDir, deleteOnClose, ports[0], ports[1], Map.of());
  }

  /**
   * Starts a broker on the given ports, so that a restart over the same log directory comes back
   * where its clients look for it; {@code overrides} replace or add broker settings (another
   * listener with TLS and SASL, say).
   */
  public static EmbeddedKafkaBroker start(Path logDir, boolean deleteOnClose, int brokerPort, int controllerPort,
      Map<String, String> overrides) {
    return start(logDir, deleteOnClose, NODE_ID, NODE_ID + "@127.0.0.1:" + controllerPort, Uuid.randomUuid().toString(), brokerPort,
        controllerPort, overrides);
  }

  /**
   * Starts node {@code nodeId} of a three-node cluster (each node broker and controller, as in
   * {@code docker/compose.yaml}): everything replicated three times, two replicas in sync
   * required. {@code voters} lists every node as {@code id@127.0.0.1:controllerPort}, and every
   * node is formatted with the same {@code clusterId}.
   */
  public static EmbeddedKafkaBroker startClusterNode(Path logDir, int nodeId, String voters, String clusterId, int brokerPort,
      int controllerPort) {
    Map<String, String> replicated = Map.of("default.replication.factor", "3", "min.insync.replicas", "2",
        "offsets.topic.replication.factor", "3", "transaction.state.log.replication.factor", "3", "transaction.state.log.min.isr", "2",
        "share.coordinator.state.topic.replication.factor", "3", "share.coordinator.state.topic.min.isr", "2");
    return start(logDir, false, nodeId, voters, clusterId, brokerPort, controllerPort, replicated);
  }

  private static EmbeddedKafkaBroker start(Path logDir, boolean deleteOnClose, int nodeId, String voters, String clusterId, int brokerPort,
      int controllerPort, Map<String, String> overrides) {
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(nodeId));
    props.put("controller.quorum.voters", voters);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("log.dirs", logDir.toAbsolutePath().toString());
    props.put("num.partitions", "4");
    props.put("auto.create.topics.enable", "false");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "4");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    // A killed engine's open transaction blocks read_committed readers until it times out; the
    // default check every 10 s would add up to 10 s to every failover.
    props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
    // Demos and tests write payments and labels dated years ago to the input topics: time-based
    // retention would delete them at its first check, 30 s after the start. (The engine's own
    // outputs carry the time it wrote them.) A scratch broker keeps every record until it closes.
    props.put("log.retention.ms", "-1");
    props.putAll(overrides);
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    try {
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        new Formatter()
            .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
            .setNodeId(nodeId)
            .setClusterId(clusterId)
            .setControllerListenerName(CONTROLLER_LISTENER)
            .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
            .addDirectory(logDir.toAbsolutePath().toString())
            .run();
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the embedded broker's log directory " + logDir + ": " + e.getMessage(), e);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    return new EmbeddedKafkaBroker(server, logDir, deleteOnClose, "127.0.0.1:" + brokerPort);
  }

  /** The {@code bootstrap.servers} value for clients. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    if (deleteOnClose) {
      TemporaryDirectory.deleteRecursively(logDir);
    }
  }

  /**
   * {@code count} different ports on 127.0.0.1 that were free a moment ago. Each is held until
   * all are found: a port released at once can be handed out again by the next bind (seen about
   * once in 2,000 pairs here), and a broker given the same port twice refuses to start.
   */
  public static int[] freePorts(int count) {
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket();
        sockets[i].setReuseAddress(true);
        sockets[i].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1 for the embedded broker", e);
    } finally {
      for (ServerSocket socket : sockets) {
        closeQuietly(socket);
      }
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      // Closing a listening socket that was only bound cannot lose anything.
    }
  }
}
