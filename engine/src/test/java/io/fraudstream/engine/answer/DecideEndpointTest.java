package io.fraudstream.engine.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fraudstream.engine.console.Operators;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.engine.topology.InputWindow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint's answers when the payment cannot be decided: the engine not running, and a cluster
 * that cannot take the payment (a real producer pointed at a port where no broker listens).
 */
class DecideEndpointTest {

  private final EngineMetrics metrics = EngineMetrics.inMemory();
  private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);
  private final AtomicBoolean deciding = new AtomicBoolean(true);
  private final HttpClient http = HttpClient.newHttpClient();
  private KafkaProducer<String, byte[]> producer;
  private HttpServer server;
  private Answers answers;

  @BeforeEach
  void start() throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + EmbeddedKafkaBroker.freePorts(1)[0]);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "500");
    producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    answers = new Answers(Duration.ofMinutes(1), 100, metrics, decision -> null);
    DecideSettings settings = new DecideSettings(Duration.ofSeconds(5), Tier.CHALLENGE, 10, Duration.ofMinutes(1), Operators.parse(null));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(DecideEndpoint.PATH, new DecideEndpoint(settings, answers, producer, "transactions", InputWindow.defaults(), metrics,
        deciding::get, threads, threads));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    producer.close(Duration.ZERO);
    threads.shutdownNow();
  }

  private HttpResponse<String> post(String id) throws Exception {
    String payment = "{\"id\":\"" + id + "\",\"timestamp\":\"" + Instant.now() + "\",\"user\":\"u1\",\"amount\":5}";
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + DecideEndpoint.PATH))
        .POST(HttpRequest.BodyPublishers.ofString(payment)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anEngineThatIsNotRunningSaysWhenToComeBackAndRemembersNothing() throws Exception {
    deciding.set(false);
    HttpResponse<String> refused = post("p1");
    assertEquals(503, refused.statusCode());
    assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
    assertTrue(refused.body().contains("not running"), refused.body());
    assertEquals(0, answers.size());
  }

  @Test
  void aPaymentTheClusterCannotTakeIsAnswered503AndARetryTriesAgain() throws Exception {
    HttpResponse<String> first = post("p1");
    assertEquals(503, first.statusCode(), first.body());
    assertTrue(first.body().contains("could not be written"), first.body());
    assertEquals(0, answers.size(), "forgotten, so that a retry writes it");
    HttpResponse<String> retry = post("p1");
    assertEquals(503, retry.statusCode(), "written again, not answered from memory: " + retry.body());
    assertEquals(0.0, metrics.registry().find("fraudstream.answers.waiting").gauge().value(), "every permit given back");
  }
}
