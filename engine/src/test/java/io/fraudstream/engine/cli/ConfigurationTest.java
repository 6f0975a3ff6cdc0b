package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.KafkaProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** One configuration from a file, the environment and flags, validated before anything starts. */
class ConfigurationTest {

  @TempDir
  Path dir;

  /** Parses {@code run} as the command line would, and returns its engine configuration. */
  private static EngineConfig runConfig(Map<String, String> environment, String... args) {
    CommandLine.ParseResult parsed = FraudstreamCli.commandLine(environment, args).parseArgs(args);
    RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
    return run.engine.toConfig(Path.of("state"), null);
  }

  @Test
  void shouldTakeFlagsOverTheEnvironmentOverTheFile() throws IOException {
    Path file = dir.resolve("engine.properties");
    Files.writeString(file, """
        bootstrap-servers=file:9092
        grace-ms=100
        commit-interval-ms=300
        hash-secret=from-the-file-0123456
        kafka.security.protocol=SASL_SSL
        kafka.sasl.mechanism=PLAIN
        kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2-secret";
        """);
    Map<String, String> environment = Map.of("FRAUDSTREAM_GRACE_MS", "200", "FRAUDSTREAM_COMMIT_INTERVAL_MS", "400",
        "FRAUDSTREAM_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
    EngineConfig config = runConfig(environment, "run", "--config", file.toString(), "--commit-interval-ms", "500",
        "--kafka-property", "ssl.endpoint.identification.algorithm=https");
    assertEquals("file:9092", config.bootstrapServers(), "from the file");
    assertEquals(Duration.ofMillis(200), config.grace(), "the environment over the file");
    assertEquals(Duration.ofMillis(500), config.commitInterval(), "the flag over both");
    assertEquals("SASL_SSL", config.kafka().get("security.protocol"));
    assertEquals("SCRAM-SHA-512", config.kafka().get("sasl.mechanism"));
    assertEquals("https", config.kafka().get("ssl.endpoint.identification.algorithm"));
    assertEquals("SASL_SSL", config.streamsProperties().get("security.protocol"), "Kafka settings reach the clients");
    assertFalse(config.toString().contains("hunter2") || config.toString().contains("from-the-file"), "secrets must never be printed: " + config);
  }

  @Test
  void shouldSetTheKafkaClientsByProfileWithTheCommitIntervalOverridable() {
    String secret = "0123456789abcdef0";
    EngineConfig throughput = runConfig(Map.of("FRAUDSTREAM_PROFILE", "throughput"), "run", "--bootstrap-servers", "broker:9092",
        "--hash-secret", secret);
    assertEquals(KafkaProfile.THROUGHPUT, throughput.profile());
    assertEquals(Duration.ofMillis(200), throughput.commitInterval());
    assertEquals("20", throughput.streamsProperties().get("producer.linger.ms"));
    assertEquals(Integer.toString(64 * 1024), throughput.streamsProperties().get("consumer.fetch.min.bytes"));
    assertEquals("200", throughput.streamsProperties().get("commit.interval.ms"));

    EngineConfig latency = runConfig(Map.of(), "run", "--bootstrap-servers", "broker:9092", "--hash-secret", secret);
    assertEquals(KafkaProfile.LATENCY, latency.profile(), "latency is the default, for a payment path");
    assertEquals(Duration.ofMillis(50), latency.commitInterval());
    assertEquals("1", latency.streamsProperties().get("producer.linger.ms"));
    assertEquals("5", latency.streamsProperties().get("consumer.fetch.max.wait.ms"));
    assertEquals(Duration.ofMillis(30), runConfig(Map.of(), "run", "--bootstrap-servers", "broker:9092", "--hash-secret", secret, "--profile", "throughput",
        "--commit-interval-ms", "30").commitInterval(), "an explicit interval wins over the profile's");
    assertEquals("5000", runConfig(Map.of(), "run", "--bootstrap-servers", "broker:9092", "--hash-secret", secret, "--kafka-property", "consumer.fetch.max.wait.ms=5000")
        .streamsProperties().get("consumer.fetch.max.wait.ms"), "a Kafka setting wins over the profile");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> runConfig(Map.of(), "run", "--bootstrap-servers", "broker:9092", "--hash-secret", secret, "--profile", "fast"));
    assertEquals("profile must be latency or throughput, got 'fast'", bad.getMessage());
  }

  @Test
  void shouldRefuseSettingsThatWouldBeIgnoredOrAreMistyped() throws IOException {
    Path file = dir.resolve("typo.properties");
    Files.writeString(file, "grace-msec=100\n");
    IllegalArgumentException unknownKey = assertThrows(IllegalArgumentException.class,
        () -> runConfig(Map.of(), "run", "--config", file.toString()));
    assertTrue(unknownKey.getMessage().contains("unknown settings 'grace-msec' (did you mean grace-ms?)"), unknownKey.getMessage());

    IllegalArgumentException unknownKafka = assertThrows(IllegalArgumentException.class,
        () -> runConfig(Map.of("FRAUDSTREAM_KAFKA_SECURITY_PROTOKOL", "SSL"), "run", "--hash-secret", "0123456789abcdef0"));
    assertTrue(unknownKafka.getMessage().contains("unknown Kafka setting 'security.protokol' (did you mean security.protocol?)"),
        unknownKafka.getMessage());

    IllegalArgumentException badValue = assertThrows(IllegalArgumentException.class,
        () -> runConfig(Map.of(), "run", "--hash-secret", "0123456789abcdef0", "--kafka-property", "security.protocol=TLS"));
    assertTrue(badValue.getMessage().startsWith("bad Kafka setting: Invalid value TLS for configuration security.protocol"),
        badValue.getMessage());

    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = FraudstreamCli.execute(Map.of(), "run", "--config", dir.resolve("missing.properties").toString());
    } finally {
      System.setErr(original);
    }
    assertEquals(2, code, "a config file that cannot be read is a usage error");
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("fraudstream: cannot read the config file"), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * The compose file configures engines through the environment only; every variable it sets
   * must be one the engine reads, or a typo there would silently leave a default in production.
   */
  @Test
  void shouldKnowEverySettingTheComposeFilePasses() throws IOException {
    Path compose = Path.of("..", "docker", "compose.yaml");
    Matcher variables = Pattern.compile("(?m)^\\s+(FRAUDSTREAM_[A-Z0-9_]+):\\s*\"?([^\"\\n]*)\"?$").matcher(Files.readString(compose));
    Set<String> known = new TreeSet<>();
    CommandLine run = FraudstreamCli.commandLine(Map.of()).getSubcommands().get("run");
    for (OptionSpec option : run.getCommandSpec().options()) {
      known.add(ConfigSources.environmentName(option.longestName()));
    }
    known.add("FRAUDSTREAM_CONFIG");
    Set<String> passed = new TreeSet<>();
    Map<String, String> kafka = new HashMap<>();
    while (variables.find()) {
      String name = variables.group(1);
      passed.add(name);
      if (name.startsWith(ConfigSources.KAFKA_ENV_PREFIX)) {
        kafka.put(name, variables.group(2).trim());
      } else {
        assertTrue(known.contains(name), name + " in docker/compose.yaml is not a setting of 'fraudstream run'; known: " + known);
      }
    }
    assertTrue(passed.containsAll(List.of("FRAUDSTREAM_BOOTSTRAP_SERVERS", "FRAUDSTREAM_MODEL", "FRAUDSTREAM_HASH_SECRET",
        "FRAUDSTREAM_HTTP_PORT")), "the compose file must configure the essentials: " + passed);
    // Kafka settings, by the same check the engine makes at start.
    EngineConfig.checkKafkaSettings(ConfigSources.of(new String[0], kafka).kafkaSettings(Map.of()));
  }
}
