package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.data.DatasetWriter;
import io.fraudstream.models.data.SyntheticGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command that talks to the cluster, against a broker that speaks to it only over
 * SASL_SSL with SCRAM-SHA-512 (docs/operate.md's own example) or only over TLS with a client
 * certificate (mutual TLS), configured through {@code FRAUDSTREAM_KAFKA_*} variables as the
 * docs say: {@code run} decides, {@code backfill} is applied, {@code console} shows a flagged
 * payment and {@code unblock} lifts a block. Certificates are made here by the JDK's keytool.
 * The test's own clients use a plaintext listener beside it.
 */
@Tag("broker")
class ClientSecurityIntegrationTest {

  private static final String PASSWORD = "scram-horse-battery-4417";
  private static final String STORE_PASSWORD = "store-secret-8830";
  private final HttpClient http = HttpClient.newHttpClient();

  @ParameterizedTest
  @ValueSource(strings = {"SCRAM-SHA-512", "mutual TLS"})
  void shouldRunEveryClusterCommandOverTheSecuredListener(String security, @TempDir Path dir) throws Exception {
    boolean scram = security.startsWith("SCRAM");
    Path brokerKeys = keyPair(dir, "broker");
    Path clientKeys = keyPair(dir, "client");
    // Each side trusts the other's certificate.
    Path clientTrust = trust(dir, "client-trust.p12", dir.resolve("broker.pem"));
    Path brokerTrust = trust(dir, "broker-trust.p12", dir.resolve("client.pem"));

    int[] ports = EmbeddedKafkaBroker.freePorts(4);
    int plain = ports[0];
    int controller = ports[1];
    int secure = ports[2];
    int consolePort = ports[3];
    Map<String, String> listeners = new HashMap<>(Map.of(
        "listeners", "PLAINTEXT://127.0.0.1:" + plain + ",CONTROLLER://127.0.0.1:" + controller + ",SECURE://127.0.0.1:" + secure,
        "advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SECURE://127.0.0.1:" + secure,
        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:" + (scram ? "SASL_SSL" : "SSL"),
        "listener.name.secure.ssl.keystore.location", brokerKeys.toString(),
        "listener.name.secure.ssl.keystore.type", "PKCS12",
        "listener.name.secure.ssl.keystore.password", STORE_PASSWORD));
    if (scram) {
      listeners.put("listener.name.secure.sasl.enabled.mechanisms", "SCRAM-SHA-512");
      listeners.put("listener.name.secure.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    } else {
      listeners.put("listener.name.secure.ssl.client.auth", "required");
      listeners.put("listener.name.secure.ssl.truststore.location", brokerTrust.toString());
      listeners.put("listener.name.secure.ssl.truststore.type", "PKCS12");
      listeners.put("listener.name.secure.ssl.truststore.password", STORE_PASSWORD);
    }
    Map<String, String> environment = scram ? scramClient(clientTrust) : mutualTlsClient(clientTrust, clientKeys);
    String secured = "127.0.0.1:" + secure;
    List<EngineProcess> processes = new ArrayList<>();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), true, plain, controller, listeners)) {
      if (scram) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
          admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("engine",
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), PASSWORD))).all().get(30, TimeUnit.SECONDS);
        }
      }
      Path model = dir.resolve("model.bundle");
      TestModels.bundle().save(model);
      String secret = new String(TestModels.SECRET, StandardCharsets.UTF_8);
      EngineProcess engine = start(processes, environment, "run", "--bootstrap-servers", secured, "--model", model.toString(),
          "--state-dir", dir.resolve("state").toString(), "--hash-secret", secret, "--http-port", "-1")
          .awaitOutput("fraudstream is running", Duration.ofSeconds(90));
      start(processes, environment, "console", "--bootstrap-servers", secured, "--port", Integer.toString(consolePort),
          "--hash-secret", secret).awaitOutput("console at", Duration.ofSeconds(60));

      List<Transaction> all = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(60, 12, 43));
      Instant cutOver = all.get(0).timestamp().plus(Duration.ofDays(8));
      List<Transaction> history = all.stream().filter(tx -> tx.timestamp().isBefore(cutOver)).toList();
      List<Transaction> live = all.stream().filter(tx -> !tx.timestamp().isBefore(cutOver)).toList();
      Path dataset = dir.resolve("history.csv");
      DatasetWriter.write(dataset, history);
      EngineProcess backfill = start(processes, environment, "backfill", "--dataset", dataset.toString(), "--bootstrap-servers", secured);
      assertEquals(0, backfill.awaitExit(Duration.ofSeconds(120)), backfill.output());
      assertTrue(backfill.output().contains(String.format("backfilled %,d payments", history.size())), backfill.output());

      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(plainClient(broker), new StringSerializer(), new ByteArraySerializer());
           DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
        live.forEach(tx -> producer.send(new ProducerRecord<>("transactions", tx.user(), TransactionJson.write(tx))));
        producer.flush();
        reader.awaitAll(live.stream().map(Transaction::id).toList(), Duration.ofSeconds(90), Duration.ZERO);
        assertEquals(live.size(), reader.records(), "the live payments decided once each, none of the history");
        String flagged = reader.seen().values().stream().filter(seen -> seen.first().tier() != Tier.ALLOW)
            .map(seen -> seen.first().paymentId()).findFirst().orElseThrow(() -> new AssertionError("no live payment was flagged"));
        awaitConsoleShows(consolePort, flagged);

        Instant now = Instant.now();
        Block block = new Block("user:mallory", "user", null, "reported", now, now.plus(Duration.ofDays(1)));
        producer.send(new ProducerRecord<>("blocks", block.entity(), Topics.BLOCK_SERDE.serializer().serialize(null, block))).get();
      }
      EngineProcess unblock = start(processes, environment, "unblock", "--user", "mallory", "--bootstrap-servers", secured);
      assertEquals(0, unblock.awaitExit(Duration.ofSeconds(60)), unblock.output());
      List<byte[]> onMallory = TopicContents.valuesOf(plainClient(broker), "blocks", "user:mallory");
      assertEquals(2, onMallory.size(), "the block, then what unblock wrote");
      assertNull(onMallory.get(1), "unblock writes a tombstone");

      for (EngineProcess process : processes) {
        assertFalse(process.output().contains(PASSWORD) || process.output().contains(STORE_PASSWORD), "a password in the log:\n"
            + process.output());
      }
      assertTrue(engine.output().contains("kafka settings=["), engine.output());
    } finally {
      for (EngineProcess process : processes) {
        process.close();
      }
    }
  }

  private static EngineProcess start(List<EngineProcess> processes, Map<String, String> environment, String... args) throws Exception {
    EngineProcess process = EngineProcess.startWithEnvironment(environment, args);
    processes.add(process);
    return process;
  }

  /** The SASL/SCRAM example of docs/operate.md, as environment variables. */
  private static Map<String, String> scramClient(Path truststore) {
    return Map.of(
        "FRAUDSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "FRAUDSTREAM_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "FRAUDSTREAM_KAFKA_SASL_JAAS_CONFIG",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"engine\" password=\"" + PASSWORD + "\";",
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString(),
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD", STORE_PASSWORD);
  }

  /** TLS both ways: the client's own key and certificate, and the broker's certificate trusted. */
  private static Map<String, String> mutualTlsClient(Path truststore, Path keystore) {
    return Map.of(
        "FRAUDSTREAM_KAFKA_SECURITY_PROTOCOL", "SSL",
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString(),
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD", STORE_PASSWORD,
        "FRAUDSTREAM_KAFKA_SSL_KEYSTORE_LOCATION", keystore.toString(),
        "FRAUDSTREAM_KAFKA_SSL_KEYSTORE_TYPE", "PKCS12",
        "FRAUDSTREAM_KAFKA_SSL_KEYSTORE_PASSWORD", STORE_PASSWORD);
  }

  private static Properties plainClient(EmbeddedKafkaBroker broker) {
    Properties props = new Properties();
    props.put("bootstrap.servers", broker.bootstrapServers());
    return props;
  }

  /** Polls the console's queue until it lists {@code paymentId}. */
  private void awaitConsoleShows(int port, String paymentId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (!last.contains(paymentId)) {
      assertTrue(System.nanoTime() < deadline, "the console's queue never listed " + paymentId + ": " + last);
      TimeUnit.MILLISECONDS.sleep(200);
      last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/queue")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    }
  }

  /** A key pair for {@code name} on 127.0.0.1, in {@code name.p12}, its certificate in {@code name.pem}. */
  private static Path keyPair(Path dir, String name) throws Exception {
    Path keystore = dir.resolve(name + ".p12");
    SaslSslIntegrationTest.keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=" + name,
        "-ext", "SAN=ip:127.0.0.1", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
    SaslSslIntegrationTest.keytool("-exportcert", "-rfc", "-alias", name, "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
        "-file", dir.resolve(name + ".pem").toString());
    return keystore;
  }

  /** A trust store holding {@code certificate}. */
  private static Path trust(Path dir, String name, Path certificate) throws Exception {
    Path truststore = dir.resolve(name);
    SaslSslIntegrationTest.keytool("-importcert", "-noprompt", "-alias", "trusted", "-file", certificate.toString(), "-keystore", truststore.toString(),
        "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
    return truststore;
  }
}
