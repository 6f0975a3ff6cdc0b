package io.fraudstream.engine.serving;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.decision.ServingModel;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The engine's HTTP endpoints for operators and orchestrators:
 *
 * <ul>
 *   <li>{@code /metrics}: every meter in Prometheus' text format;
 *   <li>{@code /health/live}: 200 unless Kafka Streams has failed or stopped (restart me);
 *   <li>{@code /health/ready}: 200 only while Kafka Streams is RUNNING and the cluster answers
 *       (send me traffic, count me as up); 503 while starting, rebalancing, shutting down, or
 *       cut off from the brokers;
 *   <li>whatever else the engine serves beside them: the decide endpoint.
 * </ul>
 *
 * Health answers carry the Kafka Streams state and the model and rules in service as JSON.
 */
public final class OperationsServer implements AutoCloseable {

  private static final Set<KafkaStreams.State> DEAD = Set.of(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR,
      KafkaStreams.State.NOT_RUNNING);

  private static final int CONNECTION_BACKLOG = 4096;
  private final HttpServer server;
  private final ExecutorService executor;

  private OperationsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Serves on {@code host:port}, with {@code moreRoutes} (path to handler) beside its own; port 0 picks a free one. */
  public static OperationsServer start(String host, int port, PrometheusMeterRegistry registry, Supplier<KafkaStreams.State> state,
      BooleanSupplier clusterReachable, DecisionPolicy policy, Map<String, HttpHandler> moreRoutes) {
    HttpServer server;
    try {
      // A stall of a second at a thousand payments a second opens a thousand connections at once;
      // the default backlog of 50 drops most of them, and their requests are lost.
      server = HttpServers.create(new InetSocketAddress(host, port), CONNECTION_BACKLOG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics and health on " + host + ":" + port + " (" + e.getMessage()
          + "); choose another --http-port, or -1 for none", e);
    }
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/health/live", exchange -> {
      KafkaStreams.State now = state.get();
      respond(exchange, DEAD.contains(now) ? 503 : 200, "application/json",
          health(DEAD.contains(now) ? "DOWN" : "UP", now, clusterReachable.getAsBoolean(), policy));
    });
    server.createContext("/health/ready", exchange -> {
      KafkaStreams.State now = state.get();
      boolean reachable = clusterReachable.getAsBoolean();
      boolean ready = now == KafkaStreams.State.RUNNING && reachable;
      respond(exchange, ready ? 200 : 503, "application/json", health(ready ? "UP" : "DOWN", now, reachable, policy));
    });
    moreRoutes.forEach(server::createContext);
    // Handlers never wait (the decide endpoint answers later, from its own threads), so two threads serve every endpoint.
    ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "fraudstream-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
    return new OperationsServer(server, executor);
  }

  private static String health(String status, KafkaStreams.State state, boolean clusterReachable, DecisionPolicy policy) {
    ServingModel shadow = policy.shadowModel();
    return "{\"status\":\"" + status + "\",\"streams\":\"" + state + "\",\"cluster\":\""
        + (clusterReachable ? "reachable" : "unreachable") + "\",\"model\":\"" + policy.model().version()
        + "\",\"provenance\":\"" + policy.model().provenanceId() + "\",\"shadow\":"
        + (shadow == null ? "null" : "\"" + shadow.version() + "\"") + ",\"rules\":\"" + policy.rules().version() + "\"}\n";
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The port actually served, useful when started on port 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
