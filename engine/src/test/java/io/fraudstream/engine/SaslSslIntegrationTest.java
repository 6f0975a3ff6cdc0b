package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against a broker that only speaks SASL_SSL to it: a certificate made here by the
 * JDK's keytool, SASL/PLAIN users, and the engine configured the way docs/operate.md says, through
 * {@code FRAUDSTREAM_KAFKA_*} variables. It decides payments; a wrong password fails start-up with
 * a clear message and exit code 1; neither password ever reaches the log.
 */
@Tag("broker")
class SaslSslIntegrationTest {

  private static final String PASSWORD = "right-horse-battery-7391";
  private static final String WRONG = "wrong-staple-2210";
  private static final String STORE_PASSWORD = "store-secret-5518";

  @Test
  void shouldDecideOverSaslSslAndRefuseAWrongPasswordWithoutLoggingIt(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("broker.p12");
    Path truststore = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
        "-file", dir.resolve("broker.pem").toString());
    keytool("-importcert", "-noprompt", "-alias", "broker", "-file", dir.resolve("broker.pem").toString(),
        "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);

    int[] ports = EmbeddedKafkaBroker.freePorts(3);
    int plain = ports[0];
    int controller = ports[1];
    int secure = ports[2];
    Map<String, String> listeners = Map.of(
        "listeners", "PLAINTEXT://127.0.0.1:" + plain + ",CONTROLLER://127.0.0.1:" + controller + ",SASL_SSL://127.0.0.1:" + secure,
        "advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_SSL://127.0.0.1:" + secure,
        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
        "listener.name.sasl_ssl.sasl.enabled.mechanisms", "PLAIN",
        "listener.name.sasl_ssl.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_engine=\"" + PASSWORD + "\";",
        "listener.name.sasl_ssl.ssl.keystore.location", keystore.toString(),
        "listener.name.sasl_ssl.ssl.keystore.type", "PKCS12",
        "listener.name.sasl_ssl.ssl.keystore.password", STORE_PASSWORD);
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), true, plain, controller, listeners)) {
      Path model = dir.resolve("model.bundle");
      TestModels.bundle().save(model);
      String[] run = {"run", "--bootstrap-servers", "127.0.0.1:" + secure, "--model", model.toString(),
          "--state-dir", dir.resolve("state").toString(), "--hash-secret", new String(TestModels.SECRET, StandardCharsets.UTF_8),
          "--http-port", "-1", "--startup-timeout-ms", "15000"};

      EngineProcess refused = EngineProcess.startWithEnvironment(security(truststore, WRONG), run);
      assertEquals(1, refused.awaitExit(Duration.ofSeconds(60)), refused.output());
      assertTrue(refused.output().contains("fraudstream: cannot use the Kafka cluster at 127.0.0.1:" + secure), refused.output());
      assertTrue(refused.output().contains("authentication failed"), refused.output());
      assertFalse(refused.output().contains(WRONG) || refused.output().contains(PASSWORD), "a password in the log:\n" + refused.output());

      EngineProcess engine = EngineProcess.startWithEnvironment(security(truststore, PASSWORD), run);
      try {
        engine.awaitOutput("fraudstream is running", Duration.ofSeconds(90));
        List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(50, 5, 41)).subList(0, 200);
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
             DecisionReader reader = new DecisionReader(broker.bootstrapServers(), "decisions")) {
          payments.forEach(tx -> producer.send(new ProducerRecord<>("transactions", tx.user(), TransactionJson.write(tx))));
          producer.flush();
          reader.awaitAll(payments.stream().map(Transaction::id).toList(), Duration.ofSeconds(60), Duration.ZERO);
        }
      } finally {
        engine.terminate();
      }
      // 143 = 128 + SIGTERM: the JVM's status for a process ended by the signal, after its shutdown hook ran.
      assertEquals(143, engine.awaitExit(Duration.ofSeconds(60)), engine.output());
      assertTrue(engine.output().contains("kafka settings=[sasl.jaas.config, sasl.mechanism, security.protocol"), "the settings are logged by name:\n" + engine.output());
      assertFalse(engine.output().contains(PASSWORD) || engine.output().contains(STORE_PASSWORD), "a password in the log:\n" + engine.output());
    }
  }

  /** The client settings docs/operate.md documents for SASL_SSL, as environment variables. */
  private static Map<String, String> security(Path truststore, String password) {
    return Map.of(
        "FRAUDSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "FRAUDSTREAM_KAFKA_SASL_MECHANISM", "PLAIN",
        "FRAUDSTREAM_KAFKA_SASL_JAAS_CONFIG",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"engine\" password=\"" + password + "\";",
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString(),
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
        "FRAUDSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD", STORE_PASSWORD);
  }

  /** Runs the JDK's keytool, beside this JVM's java; fails with its output. */
  static void keytool(String... args) throws Exception {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    List<String> command = new ArrayList<>(List.of(java.resolveSibling("keytool").toString()));
    command.addAll(List.of(args));
    Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed: " + output);
  }
}
