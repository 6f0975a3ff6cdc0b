package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.KafkaProfile;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.topology.InputWindow;
import io.fraudstream.engine.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Engine settings shared by the commands. Every option can also come from the environment or
 * the config file (see {@link ConfigSources}); a flag wins.
 */
final class EngineOptions {

  @Option(names = "--bootstrap-servers", defaultValue = "${env:FRAUDSTREAM_BOOTSTRAP_SERVERS}",
      description = "Kafka cluster to use; without it a broker starts inside the process on 127.0.0.1 (env FRAUDSTREAM_BOOTSTRAP_SERVERS)")
  String bootstrapServers;

  @Option(names = "--application-id", defaultValue = "${env:FRAUDSTREAM_APPLICATION_ID:-fraudstream}",
      description = "Kafka Streams application id; instances with the same id share the work (default ${DEFAULT-VALUE})")
  String applicationId;

  @Option(names = "--state-dir", defaultValue = "${env:FRAUDSTREAM_STATE_DIR}",
      description = "where per-user state is kept on disk (default: a temporary directory)")
  Path stateDir;

  @Option(names = "--hash-secret", defaultValue = "${env:FRAUDSTREAM_HASH_SECRET}",
      description = "key of the identifier hashes kept in state, at least 16 characters; keep it stable (env FRAUDSTREAM_HASH_SECRET)")
  String hashSecret;

  @Option(names = "--partitions", defaultValue = "${env:FRAUDSTREAM_PARTITIONS:-4}",
      description = "partitions of topics the engine creates, its hand-off topics included (default ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--threads", defaultValue = "${env:FRAUDSTREAM_THREADS:-1}",
      description = "stream threads in this instance for the payment path, and as many again for entity risk and labels beside it (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--processing-guarantee", defaultValue = "${env:FRAUDSTREAM_PROCESSING_GUARANTEE:-exactly_once_v2}",
      description = "exactly_once_v2 or at_least_once (default ${DEFAULT-VALUE})")
  String processingGuarantee;

  @Option(names = "--profile", defaultValue = "${env:FRAUDSTREAM_PROFILE:-latency}",
      description = "latency (small batches sent at once, 50 ms commits: a payment path) or throughput (batching, "
          + "200 ms commits: replays and backfills) (default ${DEFAULT-VALUE})")
  String profile;

  @Option(names = "--commit-interval-ms", defaultValue = "${env:FRAUDSTREAM_COMMIT_INTERVAL_MS}",
      description = "commit interval; bounds how soon read_committed readers see a decision (default: the profile's, 50 or 200)")
  Long commitIntervalMs;

  @Option(names = "--grace-ms", defaultValue = "${env:FRAUDSTREAM_GRACE_MS:-0}",
      description = "how far out of time order payments may arrive and still be decided in order; each decision waits this long (default ${DEFAULT-VALUE}: decide on arrival)")
  long graceMs;

  @Option(names = "--max-ahead-ms", defaultValue = "${env:FRAUDSTREAM_MAX_AHEAD_MS:-300000}",
      description = "how far ahead of this engine's clock a payment or label time may be; later ones go to the dead-letter topic "
          + "(at most 3300000, as brokers refuse records over an hour ahead; default ${DEFAULT-VALUE})")
  long maxAheadMs;

  @Option(names = "--max-age-days", defaultValue = "${env:FRAUDSTREAM_MAX_AGE_DAYS:-0}",
      description = "how old a payment or label time may be; older ones go to the dead-letter topic (default ${DEFAULT-VALUE}: any time since 1970)")
  long maxAgeDays;

  @Option(names = "--block-hours", defaultValue = "${env:FRAUDSTREAM_BLOCK_HOURS:-24}",
      description = "how long a BLOCK decision blocks the user (default ${DEFAULT-VALUE})")
  long blockHours;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "any Kafka client setting, e.g. security.protocol=SASL_SSL; repeatable")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Option(names = "--transactions-topic", defaultValue = "${env:FRAUDSTREAM_TRANSACTIONS_TOPIC:-transactions}",
      description = "input topic (default ${DEFAULT-VALUE})")
  String transactionsTopic;

  @Option(names = "--challenge-results-topic", defaultValue = "${env:FRAUDSTREAM_CHALLENGE_RESULTS_TOPIC:-challenge-results}",
      description = "how step-up verifications ended, keyed by user (default ${DEFAULT-VALUE})")
  String challengeResultsTopic;

  @Option(names = "--backfill-topic", defaultValue = "${env:FRAUDSTREAM_BACKFILL_TOPIC:-backfill}",
      description = "history to bring the users' and entities' state up to date from, decided by no one (default ${DEFAULT-VALUE}); see backfill")
  String backfillTopic;

  @Option(names = "--on-failed-challenge", defaultValue = "alert", converter = OnFailedConverter.class,
      description = "what a failed challenge does on its own: nothing, alert (tell the user at once) or block (alert and block the user); "
          + "default ${DEFAULT-VALUE}")
  ChallengePolicy.OnFailed onFailedChallenge;

  @Option(names = "--failed-challenge-is-fraud",
      description = "count a failed challenge as a fraud label for live precision and recall and for entity risk (default: not)")
  boolean failedChallengeIsFraud;

  /** Reads --on-failed-challenge in any case, with a message that lists the choices. */
  static final class OnFailedConverter implements ITypeConverter<ChallengePolicy.OnFailed> {
    @Override
    public ChallengePolicy.OnFailed convert(String value) {
      return ChallengePolicy.OnFailed.parse(value);
    }
  }

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  EngineConfig toConfig(Path defaultStateDir, String defaultSecret) {
    String secret = hashSecret != null ? hashSecret : defaultSecret;
    if (secret == null) {
      throw new IllegalArgumentException("no hash secret: pass --hash-secret or set FRAUDSTREAM_HASH_SECRET (at least 16 characters)");
    }
    Topics topics = Topics.defaults().withTransactions(transactionsTopic).withChallengeResults(challengeResultsTopic)
        .withBackfill(backfillTopic);
    KafkaProfile kafkaProfile = KafkaProfile.parse(profile);
    return new EngineConfig(blankToNull(bootstrapServers), applicationId, topics,
        stateDir != null ? stateDir : defaultStateDir, secret.getBytes(StandardCharsets.UTF_8),
        Duration.ofHours(blockHours), partitions, threads, processingGuarantee, kafkaProfile,
        commitIntervalMs != null ? Duration.ofMillis(commitIntervalMs) : kafkaProfile.commitInterval(),
        Duration.ofMillis(graceMs), new InputWindow(Duration.ofMillis(maxAheadMs), Duration.ofDays(maxAgeDays), Clock.systemUTC()),
        ConfigSources.kafkaSettings(spec, kafka), EngineConfig.Serving.none(),
        new ChallengePolicy(onFailedChallenge, failedChallengeIsFraud));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
