package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.streams.DeadLetterHeaders;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in poison corpus ({@code poison/corpus.jsonl}: hostile records for every topic the
 * engine reads, each with the outcome the input contract promises), interleaved with valid
 * payments, through a real broker: the engine stays up, every valid payment is decided exactly
 * once, every hostile record is a dead letter with its reason or a counted skip, and the counts add up.
 */
@Tag("broker")
@ExtendWith(SharedBroker.class)
class PoisonCorpusIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NOW = Pattern.compile("\\{\\{(iso:)?now\\+(\\d+)}}");

  /** One corpus line, made into the record to send. */
  private record Hostile(String why, String topic, String expect, byte[] key, byte[] value) {}

  @Test
  void shouldEndEveryRecordAsADecisionADeadLetterOrACountedSkip(@TempDir Path stateDir) throws Exception {
    String applicationId = "poison-engine";
    Topics topics = SharedBroker.topics("poison-");
    EngineConfig defaults = EngineConfig.defaults(SharedBroker.bootstrapServers(), stateDir, new String(TestModels.SECRET, StandardCharsets.UTF_8));
    EngineConfig config = new EngineConfig(defaults.bootstrapServers(), applicationId, topics, stateDir, defaults.hashSecret(),
        defaults.blockDuration(), defaults.partitions(), 1, defaults.processingGuarantee(), defaults.profile(), defaults.commitInterval(), Duration.ZERO,
        defaults.acceptedTimes(), Map.of(), defaults.serving(), defaults.challenges());
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(60, 10, 11));
    try (FraudEngine engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60))) {
      List<Hostile> corpus = corpus(topics, applicationId);
      assertTrue(corpus.size() >= 200, corpus.size() + " records in the corpus");
      Set<String> validIds = new HashSet<>();
      Map<String, Hostile> expectedDeadLetters = new HashMap<>();
      Map<String, Integer> expectedSkips = new TreeMap<>();
      Properties props = config.clientProperties();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        int next = 0;
        for (Hostile hostile : corpus) {
          for (int i = 0; i < 2 && next < payments.size(); i++, next++) {
            Transaction tx = payments.get(next);
            validIds.add(tx.id());
            producer.send(new ProducerRecord<>(topics.transactions(), utf8(tx.user()), TransactionJson.write(tx)));
          }
          sent.add(producer.send(new ProducerRecord<>(hostile.topic(), hostile.key(), hostile.value())));
        }
        producer.flush();
        for (int i = 0; i < corpus.size(); i++) {
          Hostile hostile = corpus.get(i);
          RecordMetadata where = sent.get(i).get();
          switch (hostile.expect()) {
            case "dead-letter" -> expectedDeadLetters.put(where.topic() + "-" + where.partition() + "@" + where.offset(), hostile);
            case "decided" -> validIds.add(TransactionJson.parseOrThrow(hostile.value()).id());
            default -> expectedSkips.merge(hostile.expect().substring("skipped:".length()), 1, Integer::sum);
          }
        }
      }

      Map<String, Integer> decisionsById = new HashMap<>();
      Map<String, ConsumerRecord<byte[], byte[]>> deadLetters = new HashMap<>();
      // Keyed by the source record, so every record is counted as well: a dead letter written twice must show.
      Map<String, Integer> deadLettersPerSource = new TreeMap<>();
      readUntil(config, List.of(topics.decisions(), topics.deadLetters()), record -> {
        if (record.topic().equals(topics.deadLetters())) {
          String source = header(record, DeadLetterHeaders.TOPIC) + "-" + header(record, DeadLetterHeaders.PARTITION) + "@"
              + header(record, DeadLetterHeaders.OFFSET);
          deadLetters.put(source, record);
          deadLettersPerSource.merge(source, 1, Integer::sum);
        } else if (record.key() != null) {
          decisionsById.merge(new String(record.key(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        return decisionsById.keySet().containsAll(validIds) && deadLetters.size() >= expectedDeadLetters.size();
      });

      Set<String> missing = new HashSet<>(expectedDeadLetters.keySet());
      missing.removeAll(deadLetters.keySet());
      List<String> whyMissing = missing.stream().map(at -> expectedDeadLetters.get(at).why()).sorted().toList();
      assertEquals(List.of(), whyMissing, "hostile records that did not reach the dead-letter topic");
      assertEquals(expectedDeadLetters.keySet(), deadLetters.keySet(), "dead letters that were not expected");
      assertEquals(Map.of(), deadLettersPerSource.entrySet().stream().filter(each -> each.getValue() != 1)
          .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "records dead-lettered more than once");
      for (ConsumerRecord<byte[], byte[]> dead : deadLetters.values()) {
        String reason = header(dead, DeadLetterHeaders.REASON);
        assertTrue(reason != null && !reason.isBlank(), "a dead letter without a reason");
      }
      Set<String> notDecided = new HashSet<>(validIds);
      notDecided.removeAll(decisionsById.keySet());
      assertEquals(Set.of(), notDecided, "valid payments without a decision");
      for (String id : validIds) {
        assertEquals(1, decisionsById.get(id), "decisions of payment " + id);
      }
      Set<String> decidedNotValid = new HashSet<>(decisionsById.keySet());
      decidedNotValid.removeAll(validIds);
      assertEquals(Set.of(), decidedNotValid, "decisions of payments never sent");

      // Meters count what was processed, and a task whose transaction is aborted and redone (a
      // fenced producer on a busy machine) counts its skips again: at least the expected number.
      // The global thread reads the entity-risk topic beside the stream threads: give it time.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline && expectedSkips.entrySet().stream().anyMatch(expected ->
          engine.registry().counter("fraudstream.skipped.records", "reason", expected.getKey()).count() < expected.getValue())) {
        Thread.sleep(100);
      }
      for (String reason : expectedSkips.keySet()) {
        double counted = engine.registry().counter("fraudstream.skipped.records", "reason", reason).count();
        assertTrue(counted >= expectedSkips.get(reason), reason + " counted " + counted + " times, expected " + expectedSkips.get(reason));
      }
      int skipped = expectedSkips.values().stream().mapToInt(Integer::intValue).sum();
      long decidedHostile = corpus.stream().filter(hostile -> hostile.expect().equals("decided")).count();
      int sentCount = corpus.size() + validIds.size() - (int) decidedHostile;
      // Every record sent has exactly one outcome: a decision record, a dead-letter record or a
      // counted skip. Records, not ids: a second decision or dead letter of one record breaks it.
      int decisionRecords = decisionsById.values().stream().mapToInt(Integer::intValue).sum();
      int deadLetterRecords = deadLettersPerSource.values().stream().mapToInt(Integer::intValue).sum();
      assertEquals(sentCount, decisionRecords + deadLetterRecords + skipped, "decision, dead-letter and skip outcomes of the records sent");
      assertEquals(KafkaStreams.State.RUNNING, engine.streams().state());
      assertFalse(engine.failed());
      // A record that kills a thread kills its replacement too, as it is read again, until the
      // engine stops (failed() above). A thread may still die once of the cluster's fault (a
      // client's timeout on a busy machine) and resume from its commit, the outcomes above intact:
      // shown, and allowed only when neither a record nor this project's code is in its causes.
      double replaced = engine.registry().counter("fraudstream.stream.threads.replaced").count();
      if (replaced > 0) {
        Throwable error = engine.lastThreadError().orElseThrow();
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        System.out.printf("poison corpus: %.0f stream thread(s) replaced, the last of: %s%n", replaced, trace);
        assertFalse(causedByARecordOrOurCode(error), "a stream thread died of a record or of fraudstream's code: " + trace);
      }
      System.out.printf("poison corpus: sent %d (%d hostile), decided %d, dead-lettered %d, skipped %d%n",
          sentCount, corpus.size(), validIds.size(), deadLetters.size(), skipped);
    }
  }

  private static List<Hostile> corpus(Topics topics, String applicationId) throws IOException {
    Map<String, String> topicNames = Map.of("transactions", topics.transactions(), "labels", topics.labels(),
        "erasures", topics.erasures(), "blocks", topics.blocks(), "entity-risk", topics.entityRisk(),
        "entity-events-repartition", FraudTopology.HandOff.of(applicationId).entityEvents(),
        "outcomes-by-payment-repartition", FraudTopology.HandOff.of(applicationId).outcomes(),
        "challenge-results", topics.challengeResults(), "backfill", topics.backfill(),
        "challenge-labels-repartition", FraudTopology.HandOff.of(applicationId).challengeLabels());
    List<Hostile> corpus = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(
        PoisonCorpusIntegrationTest.class.getResourceAsStream("/poison/corpus.jsonl"), StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        JsonNode entry = JSON.readTree(line);
        byte[] key;
        if (entry.has("key_repeat")) {
          key = utf8(entry.get("key_repeat").get(0).asText().repeat(entry.get("key_repeat").get(1).asInt()));
        } else {
          key = entry.get("key").isNull() ? null : utf8(entry.get("key").asText());
        }
        byte[] value;
        if (entry.has("value_b64")) {
          value = Base64.getDecoder().decode(entry.get("value_b64").asText());
        } else if (entry.has("value_pad")) {
          JsonNode pad = entry.get("value_pad");
          value = utf8(withNow(pad.get("template").asText()).replace("%PAD%", pad.get("char").asText().repeat(pad.get("n").asInt())));
        } else {
          value = entry.get("value").isNull() ? null : utf8(withNow(entry.get("value").asText()));
        }
        corpus.add(new Hostile(entry.get("why").asText(), topicNames.get(entry.get("topic").asText()), entry.get("expect").asText(), key, value));
      }
    }
    return corpus;
  }

  /** Times relative to the engine's clock: {@code {{now+N}}} as epoch milliseconds, {@code {{iso:now+N}}} as ISO-8601. */
  private static String withNow(String text) {
    Matcher found = NOW.matcher(text);
    StringBuilder out = new StringBuilder();
    while (found.find()) {
      Instant at = Instant.now().plusMillis(Long.parseLong(found.group(2)));
      found.appendReplacement(out, found.group(1) != null ? at.toString() : Long.toString(at.toEpochMilli()));
    }
    return found.appendTail(out).toString();
  }

  interface Done {
    boolean after(ConsumerRecord<byte[], byte[]> record);
  }

  private static void readUntil(EngineConfig config, List<String> topics, Done done) {
    Properties props = config.clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "poison-reader");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(2 * 1024 * 1024));
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(topics);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      boolean finished = false;
      long quietUntil = Long.MAX_VALUE;
      // Read until everything is in, then two more seconds to catch a duplicate or a stray dead letter.
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          finished = done.after(record);
        }
        if (finished && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        }
      }
    }
  }

  /**
   * Kafka Streams names the record's offset when a record's processing throws; our code throws our
   * own classes, or throws from one of our frames.
   */
  private static boolean causedByARecordOrOurCode(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      StackTraceElement[] frames = cause.getStackTrace();
      if (String.valueOf(cause.getMessage()).contains("offset=") || cause.getClass().getName().startsWith("io.fraudstream.")
          || frames.length > 0 && frames[0].getClassName().startsWith("io.fraudstream.")) {
        return true;
      }
    }
    return false;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
