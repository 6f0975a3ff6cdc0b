package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.cli.FraudstreamCli;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.DatasetWriter;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decisions, alerts and dead letters of payments dated weeks back, and the labels `replay` writes
 * for them, outlive a broker's retention checks: on a broker with Kafka's default retention (7 days), checked every second instead of
 * every 5 minutes, they stay until their topics' retention has passed since they were written.
 */
@Tag("broker")
class RetentionIntegrationTest {

  private static final Duration PAYMENTS_AGO = Duration.ofDays(36);
  private static final int PAYMENTS = 300;
  private static final String PROBE = "retention-probe";

  @Test
  void shouldKeepTheRecordsOfOldPaymentsThroughTheBrokersRetentionChecks(@TempDir Path brokerDir, @TempDir Path stateDir,
      @TempDir Path dataDir) throws Exception {
    int[] ports = EmbeddedKafkaBroker.freePorts(2);
    // Kafka's default retention; segments rolled and checked every second from the first second
    // (instead of every 5 minutes from the 30th), so a check finds them.
    Map<String, String> retention = Map.of("log.retention.ms", Long.toString(Duration.ofDays(7).toMillis()),
        "log.retention.check.interval.ms", "1000", "log.roll.ms", "1000", "log.initial.task.delay.ms", "1000");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir, false, ports[0], ports[1], retention);
         Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      EngineConfig config = EngineConfig.defaults(broker.bootstrapServers(), stateDir, new String(TestModels.SECRET, StandardCharsets.UTF_8));
      Topics topics = config.topics();
      List<Transaction> payments = datedBack(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(30, 20, 7)).subList(0, PAYMENTS));
      // Written by a producer that stamps records with their payments' times, as some replay tools do.
      long then = Instant.now().minus(PAYMENTS_AGO).toEpochMilli();
      byte[] unreadable = ("{\"id\":\"unreadable\",\"timestamp\":\"" + Instant.ofEpochMilli(then) + "\",\"user\":\"u1\",\"amount\":\"lots\"}")
          .getBytes(StandardCharsets.UTF_8);
      long frauds = payments.stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count();
      assertTrue(frauds > 0, "some of the synthetic payments are frauds, with labels");
      Path dataset = dataDir.resolve("payments.csv");
      DatasetWriter.write(dataset, payments);
      try (FraudEngine engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60))) {
        // The payments and their labels as `replay` sends a history.
        assertEquals(0, FraudstreamCli.execute("replay", "--dataset", dataset.toString(), "--to-topic", topics.transactions(),
            "--with-labels", "--labels-topic", topics.labels(), "--bootstrap-servers", broker.bootstrapServers()));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(),
            new ByteArraySerializer())) {
          producer.send(new ProducerRecord<>(topics.transactions(), null, then, "u1", unreadable)).get(30, TimeUnit.SECONDS);
        }
        Map<String, Integer> decided = awaitRecords(config, topics.decisions(), PAYMENTS);
        assertEquals(PAYMENTS, decided.size(), "one decision per payment");
        int alerts = readAll(config, topics.alerts()).size();
        assertTrue(alerts > 0, "some of the synthetic payments were suspicious");
        assertEquals(1, readAll(config, topics.deadLetters()).size(), "the unreadable payment's dead letter");

        // A record dated like the payments, on a topic of its own, shows when a retention check has run.
        admin.createTopics(List.of(new NewTopic(PROBE, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(),
            new ByteArraySerializer())) {
          producer.send(new ProducerRecord<>(PROBE, null, then, "probe", new byte[] {1})).get(30, TimeUnit.SECONDS);
          producer.send(new ProducerRecord<>(PROBE, null, then, "probe", new byte[] {2})).get(30, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (earliestOffsets(admin, PROBE) == 0) {
          assertTrue(System.nanoTime() < deadline, "the broker deleted nothing of " + PROBE + " in 60 s: no retention check ran");
          TimeUnit.MILLISECONDS.sleep(200);
        }

        for (String topic : List.of(topics.decisions(), topics.alerts(), topics.deadLetters(), topics.labels())) {
          assertEquals(0, earliestOffsets(admin, topic), topic + " lost records to the retention check");
        }
        assertEquals(decided, readAll(config, topics.decisions()).stream().collect(Collectors.toMap(r -> r, r -> 1, Integer::sum)),
            "every decision is still there, once");
        assertEquals(alerts, readAll(config, topics.alerts()).size(), "every alert is still there");
        assertEquals(1, readAll(config, topics.deadLetters()).size(), "the dead letter is still there");
        assertEquals(frauds, readAll(config, topics.labels()).size(), "every label `replay` wrote is still there");
      }
    }
  }

  /** The payments, with their labels, moved in time so that the last was made {@link #PAYMENTS_AGO}. */
  private static List<Transaction> datedBack(List<Transaction> generated) {
    Duration shift = Duration.between(generated.get(generated.size() - 1).timestamp(), Instant.now().minus(PAYMENTS_AGO));
    List<Transaction> moved = new ArrayList<>();
    for (Transaction tx : generated) {
      moved.add(tx.liveAt(tx.id(), tx.timestamp().plus(shift)).toBuilder().label(tx.label()).build());
    }
    return moved;
  }

  /** Reads {@code topic} until it holds at least {@code expected} records: how many under each key. */
  private static Map<String, Integer> awaitRecords(EngineConfig config, String topic, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<String> keys = readAll(config, topic);
    while (keys.size() < expected && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200);
      keys = readAll(config, topic);
    }
    return keys.stream().collect(Collectors.toMap(key -> key, key -> 1, Integer::sum));
  }

  /** The key of every committed record of {@code topic}, from its start to its end now. */
  private static List<String> readAll(EngineConfig config, String topic) {
    return TopicContents.readAll(config.clientProperties(), topic).stream().map(record -> record.key() == null ? "" : record.key()).toList();
  }

  private static long earliestOffsets(Admin admin, String topic) throws Exception {
    List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
        .stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    return admin.listOffsets(partitions.stream().collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.earliest())))
        .all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(info -> info.offset()).sum();
  }
}
