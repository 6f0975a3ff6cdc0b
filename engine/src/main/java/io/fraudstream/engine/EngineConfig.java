package io.fraudstream.engine;

import io.fraudstream.engine.answer.DecideSettings;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.topology.InputWindow;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Spelling;
import io.fraudstream.features.streams.TransactionTimestampExtractor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The engine's settings, immutable and validated on construction. Kafka client settings not
 * named here pass through {@code kafka} unchanged (TLS, SASL, tuning) and win over the tuned
 * defaults below.
 *
 * @param bootstrapServers the Kafka cluster, or {@code null} to start the embedded broker
 * @param hashSecret the key of the identifier hashes in state; keep it stable across restarts
 * @param partitions partitions for topics the engine creates
 * @param streamThreads Kafka Streams threads in this instance for each of its two applications (the payment path, and
 *     entity risk and labels beside it)
 * @param profile how the Kafka clients trade latency against throughput (see {@link KafkaProfile})
 * @param commitInterval how often offsets and transactions commit: under exactly-once this bounds
 *     how soon {@code read_committed} readers see a decision, and longer means more throughput
 * @param grace how far out of time order payments may arrive and still be decided in time order;
 *     every payment waits this long (in event time) for its decision, so zero, deciding on arrival,
 *     is the default
 * @param acceptedTimes the payment and label times accepted, against the engine's clock; others go
 *     to the dead-letter topic
 * @param serving the files served and watched for changes, and the HTTP endpoints
 * @param challenges what a failed challenge does on its own, and whether it counts as a fraud label
 */
public record EngineConfig(
    String bootstrapServers,
    String applicationId,
    Topics topics,
    Path stateDir,
    byte[] hashSecret,
    Duration blockDuration,
    int partitions,
    int streamThreads,
    String processingGuarantee,
    KafkaProfile profile,
    Duration commitInterval,
    Duration grace,
    InputWindow acceptedTimes,
    Map<String, String> kafka,
    Serving serving,
    ChallengePolicy challenges) {

  /**
   * What the engine serves from and on, beside Kafka.
   *
   * @param model the live model bundle's file, watched for a new bundle; null when the bundle is
   *     given in process (the demo, benchmarks) and not reloaded
   * @param shadowModel a second bundle scored alongside for comparison only, or null
   * @param rules the rules file, or null for none
   * @param reloadInterval how often the files are checked for changes
   * @param httpHost address the metrics and health endpoints listen on
   * @param httpPort port of the metrics, health and decide endpoints; 0 picks a free one, -1 serves none
   * @param decide how the decide endpoint answers (see {@link DecideSettings})
   */
  public record Serving(Path model, Path shadowModel, Path rules, Duration reloadInterval, String httpHost, int httpPort,
                        DecideSettings decide) {

    /** With the decide endpoint's defaults. */
    public Serving(Path model, Path shadowModel, Path rules, Duration reloadInterval, String httpHost, int httpPort) {
      this(model, shadowModel, rules, reloadInterval, httpHost, httpPort, DecideSettings.defaults());
    }

    public Serving {
      Objects.requireNonNull(decide, "decide");
      if (reloadInterval.isNegative() || reloadInterval.isZero()) {
        throw new IllegalArgumentException("the reload interval must be positive, got " + reloadInterval);
      }
      if (httpPort < -1 || httpPort > 65_535) {
        throw new IllegalArgumentException("the HTTP port must be 0-65535, or -1 for no endpoints; got " + httpPort);
      }
    }

    /** Nothing watched and no endpoints. */
    public static Serving none() {
      return new Serving(null, null, null, Duration.ofSeconds(5), "127.0.0.1", -1);
    }
  }

  public EngineConfig {
    if (applicationId == null || applicationId.isBlank()) {
      throw new IllegalArgumentException("application id must not be blank");
    }
    if (hashSecret == null || hashSecret.length < 16) {
      throw new IllegalArgumentException("the hash secret must be at least 16 bytes (set --hash-secret or FRAUDSTREAM_HASH_SECRET)");
    }
    if (blockDuration.isNegative() || blockDuration.isZero()) {
      throw new IllegalArgumentException("block duration must be positive, got " + blockDuration);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    if (streamThreads < 1) {
      throw new IllegalArgumentException("stream threads must be at least 1, got " + streamThreads);
    }
    if (!StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee) && !StreamsConfig.AT_LEAST_ONCE.equals(processingGuarantee)) {
      throw new IllegalArgumentException("processing guarantee must be exactly_once_v2 or at_least_once, got " + processingGuarantee);
    }
    if (commitInterval.isNegative() || commitInterval.isZero()) {
      throw new IllegalArgumentException("commit interval must be positive, got " + commitInterval);
    }
    Objects.requireNonNull(acceptedTimes, "acceptedTimes");
    Objects.requireNonNull(profile, "profile");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative, got " + grace);
    }
    checkKafkaSettings(kafka);
    hashSecret = hashSecret.clone();
    kafka = Map.copyOf(kafka);
  }

  /** The consumer session timeout: the broker's smallest allowed by default, so failover is fast. */
  static final int SESSION_TIMEOUT_MS = 6_000;
  static final int TRANSACTION_TIMEOUT_MS = 5_000;

  private static final List<String> CLIENT_PREFIXES = List.of("main.consumer.", "restore.consumer.", "global.consumer.",
      "consumer.", "producer.", "admin.");

  /**
   * Refuses Kafka settings no Kafka client knows (a typo would otherwise be ignored with a log
   * line) and values of the wrong type. Topic settings ({@code topic.*}) pass unchecked. A
   * password setting takes any string, so no type error can quote one.
   */
  public static void checkKafkaSettings(Map<String, String> kafka) {
    Set<String> known = new TreeSet<>(StreamsConfig.configDef().names());
    known.addAll(ProducerConfig.configNames());
    known.addAll(ConsumerConfig.configNames());
    known.addAll(AdminClientConfig.configNames());
    for (String key : kafka.keySet()) {
      String name = key;
      for (String prefix : CLIENT_PREFIXES) {
        if (name.startsWith(prefix)) {
          name = name.substring(prefix.length());
          break;
        }
      }
      if (!name.startsWith("topic.") && !known.contains(name)) {
        throw new IllegalArgumentException("unknown Kafka setting '" + key + "'"
            + Spelling.closest(name, known).map(guess -> " (did you mean " + guess + "?)").orElse("")
            + "; Kafka settings are passed as --kafka-property KEY=VALUE, FRAUDSTREAM_KAFKA_<KEY> or kafka.<key> in the config file");
      }
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "check");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "check:9092");
    props.putAll(kafka);
    try {
      // Without logging: this is a check, and the real clients log their settings when they start.
      new StreamsConfig(props, false) { };
      new AdminClientConfig(props, false) { };
    } catch (ConfigException e) {
      throw new IllegalArgumentException("bad Kafka setting: " + e.getMessage());
    }
  }

  /** Defaults for everything but the cluster, the state directory and the secret. */
  public static EngineConfig defaults(String bootstrapServers, Path stateDir, String hashSecret) {
    return new EngineConfig(bootstrapServers, "fraudstream", Topics.defaults(), stateDir,
        hashSecret.getBytes(StandardCharsets.UTF_8), Duration.ofHours(24), 4, 1, StreamsConfig.EXACTLY_ONCE_V2,
        KafkaProfile.LATENCY, KafkaProfile.LATENCY.commitInterval(), Duration.ZERO, InputWindow.defaults(), Map.of(), Serving.none(),
        ChallengePolicy.defaults());
  }

  @Override
  public byte[] hashSecret() {
    return hashSecret.clone();
  }

  public EngineConfig withBootstrapServers(String servers) {
    return with(copy -> copy.bootstrapServers = servers);
  }

  /** The same settings for another application on the same cluster, with topics and state of its own. */
  public EngineConfig withApplication(String newApplicationId, Topics newTopics, Path newStateDir) {
    return with(copy -> {
      copy.applicationId = newApplicationId;
      copy.topics = newTopics;
      copy.stateDir = newStateDir;
    });
  }

  public EngineConfig withStateDir(Path newStateDir) {
    return with(copy -> copy.stateDir = newStateDir);
  }

  public EngineConfig withServing(Serving newServing) {
    return with(copy -> copy.serving = newServing);
  }

  public EngineConfig withChallenges(ChallengePolicy newChallenges) {
    return with(copy -> copy.challenges = newChallenges);
  }

  /** A copy of these settings with the changes {@code change} makes, checked as any settings are. */
  private EngineConfig with(Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.settings();
  }

  /** The one place the settings are copied field by field, so that a new field is copied by every {@code with…}. */
  private static final class Copy {
    String bootstrapServers;
    String applicationId;
    Topics topics;
    Path stateDir;
    final byte[] hashSecret;
    final Duration blockDuration;
    final int partitions;
    final int streamThreads;
    final String processingGuarantee;
    final KafkaProfile profile;
    final Duration commitInterval;
    final Duration grace;
    final InputWindow acceptedTimes;
    final Map<String, String> kafka;
    Serving serving;
    ChallengePolicy challenges;

    Copy(EngineConfig config) {
      bootstrapServers = config.bootstrapServers;
      applicationId = config.applicationId;
      topics = config.topics;
      stateDir = config.stateDir;
      hashSecret = config.hashSecret;
      blockDuration = config.blockDuration;
      partitions = config.partitions;
      streamThreads = config.streamThreads;
      processingGuarantee = config.processingGuarantee;
      profile = config.profile;
      commitInterval = config.commitInterval;
      grace = config.grace;
      acceptedTimes = config.acceptedTimes;
      kafka = config.kafka;
      serving = config.serving;
      challenges = config.challenges;
    }

    EngineConfig settings() {
      return new EngineConfig(bootstrapServers, applicationId, topics, stateDir, hashSecret, blockDuration, partitions, streamThreads,
          processingGuarantee, profile, commitInterval, grace, acceptedTimes, kafka, serving, challenges);
    }
  }

  /** Properties for plain Kafka clients (admin, producers, consumers) of the same cluster. */
  public Properties clientProperties() {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put("bootstrap.servers", requireBootstrap());
    return props;
  }

  /** Kafka Streams properties: the profile's client settings, then the engine's, then {@code kafka}'s. */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, requireBootstrap());
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(streamThreads));
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitInterval.toMillis()));
    profile.apply(props);
    // Under exactly-once the next transaction's first sends often race the previous commit's
    // markers and are refused with a retriable CONCURRENT_TRANSACTIONS; the default 100 ms
    // backoff before retrying then stalls the whole task.
    props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), "10");
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    // Every input, not only payments, gets a time that is never negative and never throws.
    props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, TransactionTimestampExtractor.class.getName());
    // Failover on a payment path: a killed instance is noticed within the session timeout, not
    // the 45 s default, and a standby replica of each task on another instance takes over with
    // its state already restored (see docs/operate.md, "Failure and bad input" for the trade-off).
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), Integer.toString(SESSION_TIMEOUT_MS));
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), Integer.toString(SESSION_TIMEOUT_MS / 4));
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
    // A killed instance's open transaction holds back read_committed readers of its outputs until
    // the coordinator aborts it: at 5 s rather than Kafka Streams' 10 s.
    props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), Integer.toString(TRANSACTION_TIMEOUT_MS));
    props.putAll(kafka);
    return props;
  }

  private String requireBootstrap() {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalStateException("no bootstrap servers: start the embedded broker first");
    }
    return bootstrapServers;
  }

  @Override
  public String toString() {
    // Kafka settings may hold passwords (SASL/TLS); list their names only, never the secret.
    return "EngineConfig[bootstrapServers=" + (bootstrapServers == null ? "embedded" : bootstrapServers)
        + ", applicationId=" + applicationId + ", topics=" + topics + ", stateDir=" + stateDir
        + ", blockDuration=" + blockDuration + ", partitions=" + partitions + ", streamThreads=" + streamThreads
        + ", processingGuarantee=" + processingGuarantee + ", profile=" + profile + ", commitInterval=" + commitInterval + ", grace=" + grace + ", acceptedTimes=" + acceptedTimes
        + ", kafka settings=" + new TreeMap<>(kafka).keySet() + ", serving=" + serving + "]";
  }
}
