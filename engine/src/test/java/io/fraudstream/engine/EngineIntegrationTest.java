package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.kafka.HandOffPurge;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.streams.TransactionSerde;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The engine on a real in-process KRaft broker on 127.0.0.1, under exactly-once. */
@Tag("broker")
@ExtendWith(SharedBroker.class)
class EngineIntegrationTest {

  @Test
  void shouldWriteOneCommittedDecisionPerTransactionAndKeepNoRawIdentifier(@TempDir Path stateDir) throws Exception {
    EngineConfig defaults = EngineConfig.defaults(SharedBroker.bootstrapServers(), stateDir, new String(TestModels.SECRET, StandardCharsets.UTF_8));
    // A grace of a few seconds of event time, so that payments pass through the reorder buffer.
    EngineConfig config = new EngineConfig(defaults.bootstrapServers(), "engine-it", SharedBroker.topics("it-"), stateDir,
        defaults.hashSecret(), defaults.blockDuration(), defaults.partitions(), defaults.streamThreads(),
        defaults.processingGuarantee(), defaults.profile(), defaults.commitInterval(), Duration.ofSeconds(2), defaults.acceptedTimes(),
        // The hand-offs are scanned below before the test deletes what was read; the engine's own deleting would race it.
        Map.of(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, "600000"), defaults.serving(), defaults.challenges());
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(200, 20, 3)).subList(0, 5_000);
    try (FraudEngine engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60))) {
      Properties producerProps = config.clientProperties();
      producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      try (KafkaProducer<String, Transaction> producer =
               new KafkaProducer<>(producerProps, new StringSerializer(), TransactionSerde.transactionSerializer())) {
        payments.forEach(tx -> producer.send(new ProducerRecord<>(config.topics().transactions(), tx.user(), tx)));
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer())) {
          raw.send(new ProducerRecord<>(config.topics().transactions(), "u00001", "{broken".getBytes(StandardCharsets.UTF_8)));
        }
      }

      try (DecisionReader reader = new DecisionReader(config.bootstrapServers(), config.topics().decisions())) {
        reader.awaitAll(payments.stream().map(Transaction::id).toList(), Duration.ofSeconds(90), Duration.ZERO);
      }
    }
    // The engine is closed, so the topics are final: count every decision and dead letter from
    // the start to the end, not only those read while waiting.
    Map<String, Integer> decided = countByKey(config, config.topics().decisions());
    Set<String> expected = new HashSet<>();
    payments.forEach(tx -> expected.add(tx.id()));
    assertEquals(expected, decided.keySet());
    assertEquals(Map.of(), decided.entrySet().stream().filter(e -> e.getValue() != 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "payments decided more than once");
    assertEquals(Map.of("u00001", 1), countByKey(config, config.topics().deadLetters()));
    // The engine is closed: stores are flushed to disk. Nothing it kept may hold a raw identifier.
    Set<String> identifiers = rawIdentifiers(payments);
    byte[] input = readAll(config, config.topics().transactions());
    assertFalse(found(input, identifiers).isEmpty(), "the scan must find identifiers where they are");
    Set<String> internalTopics;
    try (Admin admin = Admin.create(config.clientProperties())) {
      internalTopics = admin.listTopics().names().get().stream()
          .filter(topic -> topic.startsWith(config.applicationId() + "-")).collect(Collectors.toCollection(TreeSet::new));
    } catch (Exception e) {
      throw new AssertionError("cannot list topics", e);
    }
    Set<String> expectedInternal = new TreeSet<>();
    // The payment path's stores and hand-offs under the application id; the rest under the off-path application's.
    String offPath = FraudEngine.offPathApplicationId(config.applicationId());
    for (String store : List.of(FraudTopology.USER_STATE_STORE, FraudTopology.REORDER_BUFFER_STORE,
        FraudTopology.PENDING_USER_BLOCKS_STORE, FraudTopology.OPEN_CHALLENGES_STORE)) {
      expectedInternal.add(config.applicationId() + "-" + store + "-changelog");
    }
    for (String store : List.of(FraudTopology.ENTITY_STATE_STORE, FraudTopology.UNPUBLISHED_ENTITIES_STORE,
        FraudTopology.DECISION_OUTCOMES_STORE)) {
      expectedInternal.add(offPath + "-" + store + "-changelog");
    }
    expectedInternal.addAll(FraudTopology.HandOff.of(config.applicationId()).all());
    expectedInternal.add(offPath + "-" + FraudTopology.ENTITY_LABELS + "-repartition");
    assertEquals(expectedInternal, internalTopics, "internal topics");
    // The entity-risk topic is the engine's own, not internal: it is scanned with them.
    for (String topic : concat(internalTopics, config.topics().entityRisk())) {
      assertEquals(Set.of(), found(readAll(config, topic), identifiers), "raw identifiers in " + topic);
    }
    for (String busy : List.of(config.applicationId() + "-" + FraudTopology.USER_STATE_STORE + "-changelog",
        FraudTopology.HandOff.of(config.applicationId()).entityEvents(),
        offPath + "-" + FraudTopology.ENTITY_STATE_STORE + "-changelog", config.topics().entityRisk())) {
      int bytes = readAll(config, busy).length;
      assertTrue(bytes > 100_000, busy + " holds only " + bytes + " bytes: the scan would prove little");
    }
    assertEquals(Set.of(), found(readAll(config, config.topics().alerts()), identifiers), "raw identifiers in alerts");
    byte[] stateFiles = readFiles(stateDir);
    assertTrue(stateFiles.length > 100_000, "state directory holds " + stateFiles.length + " bytes");
    assertEquals(Set.of(), found(stateFiles, identifiers), "raw identifiers in the state directory");
    // Last, as it deletes what the scan above read.
    assertHandOffsKeepNoTimeRetentionAndArePurgedAsRead(config);
  }

  /**
   * The hand-off topics carry payment times, so time-based retention could delete what the
   * off-path application has not read yet; they keep none, and what it has committed is deleted.
   */
  private static void assertHandOffsKeepNoTimeRetentionAndArePurgedAsRead(EngineConfig config) throws Exception {
    FraudTopology.HandOff handOff = FraudTopology.HandOff.of(config.applicationId());
    String offPath = FraudEngine.offPathApplicationId(config.applicationId());
    try (Admin admin = Admin.create(config.clientProperties())) {
      for (String topic : handOff.all()) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        assertEquals("-1", admin.describeConfigs(List.of(resource)).all().get().get(resource).get(TopicConfig.RETENTION_MS_CONFIG).value(),
            topic + " keeps no time-based retention");
      }
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(offPath).partitionsToOffsetAndMetadata().get();
      assertTrue(HandOffPurge.purgeCommitted(admin, offPath, handOff.all()) >= config.partitions(), "every entity-event partition was read");
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      committed.keySet().stream().filter(partition -> partition.topic().equals(handOff.entityEvents()))
          .forEach(partition -> earliest.put(partition, OffsetSpec.earliest()));
      admin.listOffsets(earliest).all().get().forEach((partition, start) -> {
        assertTrue(start.offset() >= committed.get(partition).offset() && start.offset() > 0,
            partition + " starts at " + start.offset() + ", the off-path application had committed " + committed.get(partition).offset());
      });
    }
  }

  private static List<String> concat(Set<String> topics, String more) {
    List<String> all = new ArrayList<>(topics);
    all.add(more);
    return all;
  }

  /** Devices, IPs and payees: what state may only hold as keyed hashes. */
  private static Set<String> rawIdentifiers(List<Transaction> payments) {
    Set<String> identifiers = new HashSet<>();
    for (Transaction tx : payments) {
      for (String value : new String[] {tx.device(), tx.ip(), tx.counterparty()}) {
        if (value != null) {
          identifiers.add(value);
        }
      }
    }
    assertTrue(identifiers.size() > 100, identifiers.size() + " identifiers");
    return identifiers;
  }

  private static Set<String> found(byte[] haystack, Set<String> identifiers) {
    String text = new String(haystack, StandardCharsets.ISO_8859_1);
    Set<String> found = new HashSet<>();
    for (String identifier : identifiers) {
      if (text.contains(identifier)) {
        found.add(identifier);
      }
    }
    return found;
  }

  /** How many records each key has on a topic, from its start to its end, as a read_committed consumer sees them. */
  private static Map<String, Integer> countByKey(EngineConfig config, String topic) {
    Map<String, Integer> counts = new HashMap<>();
    forEachRecord(config, topic, record -> counts.merge(new String(record.key(), StandardCharsets.UTF_8), 1, Integer::sum));
    return counts;
  }

  /** Every key and value of a topic, concatenated, as a read_committed consumer sees them. */
  private static byte[] readAll(EngineConfig config, String topic) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    forEachRecord(config, topic, record -> {
      all.writeBytes(record.key() == null ? new byte[0] : record.key());
      all.writeBytes(record.value() == null ? new byte[0] : record.value());
    });
    return all.toByteArray();
  }

  private static void forEachRecord(EngineConfig config, String topic, Consumer<ConsumerRecord<byte[], byte[]>> action) {
    Properties props = config.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(action);
      }
    }
  }

  private static byte[] readFiles(Path dir) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        all.writeBytes(Files.readAllBytes(file));
      }
    }
    return all.toByteArray();
  }
}
