package io.fraudstream.engine.cli;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.Rederivation;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.models.ModelBundle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Finds one past decision and makes it again from what it recorded (the payment's pseudonymous
 * fields, its feature values, any active block) with the bundle and rules it names, then shows
 * whether the tier, score and reasons match.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = "Re-derive a past decision from its recorded features, model and rules, and show that it matches.")
final class ExplainCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SOURCE",
      description = "a file of decisions, one JSON object per line, or the name of the decisions topic (with --bootstrap-servers)")
  String source;

  @Parameters(index = "1", paramLabel = "PAYMENT-ID", description = "the payment whose decision to explain")
  String paymentId;

  @Option(names = "--model", required = true,
      description = "model bundle files; the one whose provenance id the decision names is used; repeatable")
  List<Path> models;

  @Option(names = "--rules", description = "rules files; the one whose version the decision names is used; repeatable")
  List<Path> rules = new ArrayList<>();

  @Option(names = "--hash-secret", defaultValue = "${env:FRAUDSTREAM_HASH_SECRET}",
      description = "the engine's hash secret, to read device and country lists of the rules (env FRAUDSTREAM_HASH_SECRET)")
  String hashSecret;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() throws Exception {
    Decision recorded = Files.isRegularFile(Path.of(source)) ? fromFile(Path.of(source)) : fromTopic(source);
    if (recorded == null) {
      throw new IllegalArgumentException("no decision for payment '" + paymentId + "' in " + source);
    }
    ModelBundle bundle = bundleOf(recorded);
    Rules ruleset = rulesOf(recorded);
    Rederivation check = Rederivation.of(recorded, bundle, ruleset);
    Decision again = check.again();

    PrintStream out = System.out;
    out.printf(Locale.ROOT, "payment %s of %.2f%s by %s at %s%n", recorded.paymentId(), recorded.amount(),
        recorded.currency() == null ? "" : " " + recorded.currency(), recorded.user(), recorded.timestamp());
    out.printf(Locale.ROOT, "  decided %s (model alone: %s, score %.6f) by model %s (%s), rules %s%n", recorded.tier(), recorded.modelTier(),
        recorded.score(), recorded.modelVersion(), recorded.modelProvenance(), recorded.rulesVersion());
    for (int i = 0; i < recorded.reasons().size(); i++) {
      out.printf("  %d. %s%n", i + 1, recorded.reasons().get(i));
    }
    List<String> differences = check.differences();
    if (differences.isEmpty()) {
      out.printf(Locale.ROOT, "re-derived: %s, score %.6f, the same %d reasons: MATCHES%n", again.tier(), again.score(), again.reasons().size());
      return 0;
    }
    out.println("re-derived differently: DOES NOT MATCH");
    differences.forEach(difference -> out.println("  " + difference));
    return 1;
  }

  private ModelBundle bundleOf(Decision recorded) {
    List<String> seen = new ArrayList<>();
    for (Path file : models) {
      ModelBundle bundle = ModelBundle.load(file);
      if (bundle.provenanceId().equals(recorded.modelProvenance())) {
        return bundle;
      }
      seen.add(file + " is " + bundle.provenanceId());
    }
    throw new IllegalArgumentException("the decision was made by bundle " + recorded.modelProvenance() + " (model "
        + recorded.modelVersion() + "), which none of --model is: " + String.join("; ", seen));
  }

  private Rules rulesOf(Decision recorded) {
    if (Rules.none().version().equals(recorded.rulesVersion())) {
      return Rules.none();
    }
    if (hashSecret == null || hashSecret.isBlank()) {
      throw new IllegalArgumentException("the decision was made under rules " + recorded.rulesVersion()
          + "; pass --hash-secret (or FRAUDSTREAM_HASH_SECRET) so their device and country lists read as they did");
    }
    IdentifierHasher hasher = new IdentifierHasher(hashSecret);
    List<String> seen = new ArrayList<>();
    for (Path file : rules) {
      Rules candidate = Rules.load(file, hasher);
      if (candidate.version().equals(recorded.rulesVersion())) {
        return candidate;
      }
      seen.add(file + " is " + candidate.version());
    }
    throw new IllegalArgumentException("the decision was made under rules " + recorded.rulesVersion()
        + "; pass that rules file with --rules" + (seen.isEmpty() ? "" : " (" + String.join("; ", seen) + ")"));
  }

  /** The last decision for the payment in a file of JSON lines; other lines are skipped. */
  private Decision fromFile(Path file) throws IOException {
    Decision found = null;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        int start = line.indexOf('{');
        if (start < 0 || !line.contains("\"" + paymentId + "\"")) {
          continue;
        }
        Decision decision = read(line.substring(start).getBytes(StandardCharsets.UTF_8));
        if (decision != null && paymentId.equals(decision.paymentId())) {
          found = decision;
        }
      }
    }
    return found;
  }

  /** The last committed decision for the payment on the topic, read from the beginning to the current end. */
  private Decision fromTopic(String topic) {
    Properties props = cluster.clientProperties("explain from a topic");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "fraudstream-explain-" + UUID.randomUUID());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("'" + topic + "' is neither a file nor a topic of the cluster");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Decision found = null;
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading '" + topic + "' to its end took over 5 minutes; export it to a file and explain from that");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (paymentId.equals(record.key())) {
            Decision decision = read(record.value());
            found = decision != null ? decision : found;
          }
        }
      }
      return found;
    }
  }

  private static Decision read(byte[] json) {
    try {
      return Topics.DECISION_SERDE.deserializer().deserialize(null, json);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
