package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.FeatureTable;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.DatasetReader;
import io.fraudstream.models.data.DatasetWriter;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset commands, run through the real command line: generate, and replay to a table or a topic. */
class DatasetCommandsTest {

  @TempDir
  Path dir;

  /** Runs the command line, returning its exit code and what it printed to standard error. */
  private static Map.Entry<Integer, String> run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Map.entry(FraudstreamCli.execute(args), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void generateShouldWriteTheGeneratorsPaymentsInAFormatDetectedOnReading() throws IOException {
    Path file = dir.resolve("synthetic.csv.gz");
    assertEquals(0, run("generate", "--out", file.toString(), "--users", "120", "--days", "6", "--seed", "9",
        "--fraud-share", "0.2", "--patterns", "CARD_TESTING").getKey());
    List<Transaction> expected = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(120, 6, 9)
        .withFraud(0.2, List.of(SyntheticGenerator.FraudPattern.CARD_TESTING)).withChallenges(true));
    DatasetMapping detected = DatasetMapping.detect(file);
    assertEquals("fraudstream", detected.name());
    assertEquals(expected, DatasetReader.read(file, detected));
    assertTrue(expected.stream().anyMatch(tx -> Boolean.TRUE.equals(tx.label())));
    assertTrue(expected.stream().anyMatch(tx -> tx.challenge() != null), "some payments carry a challenge's answer");

    Path unanswered = dir.resolve("unanswered.csv");
    assertEquals(0, run("generate", "--out", unanswered.toString(), "--users", "120", "--days", "6", "--seed", "9",
        "--fraud-share", "0.2", "--patterns", "CARD_TESTING", "--no-challenges").getKey());
    assertTrue(DatasetReader.read(unanswered, DatasetMapping.detect(unanswered)).stream().allMatch(tx -> tx.challenge() == null));
  }

  @Test
  void badArgumentsShouldSayWhatToFix() {
    Map.Entry<Integer, String> result = run("generate", "--out", dir.resolve("x.csv").toString(), "--users", "0");
    assertEquals(1, result.getKey());
    assertEquals("fraudstream: users must be at least 1, got 0", result.getValue().strip());

    result = run("replay", "--dataset", dir.resolve("missing.csv").toString(), "--to-table", dir.resolve("t.csv").toString());
    assertEquals(1, result.getKey());
    assertTrue(result.getValue().contains("--dataset " + dir.resolve("missing.csv") + " does not exist"), result.getValue());

    result = run("replay", "--dataset", "x.csv", "--to-table", "t.csv", "--to-topic", "transactions");
    assertEquals(2, result.getKey(), "a usage error");
    assertTrue(result.getValue().contains("mutually exclusive"), result.getValue());

    result = run("generate", "--out", dir.resolve("y.csv").toString(), "--patterns", "PHISHING");
    assertEquals(2, result.getKey());
    assertTrue(result.getValue().contains("CARD_TESTING"), "the message lists the valid patterns: " + result.getValue());

    result = run("backfill", "--dataset", "x.csv", "--until", "yesterday");
    assertEquals(2, result.getKey());
    assertTrue(result.getValue().contains("expected a day such as 2018-09-01 or an instant such as 2018-09-01T12:00:00Z, got 'yesterday'"),
        result.getValue());
    Path history = dir.resolve("history.csv");
    assertEquals(0, run("generate", "--out", history.toString(), "--users", "5", "--days", "2").getKey());
    result = run("backfill", "--dataset", history.toString(), "--until", "2024-01-02");
    assertEquals(1, result.getKey());
    assertTrue(result.getValue().contains("backfill needs the engine's cluster: pass --bootstrap-servers"), result.getValue());
    result = run("backfill", "--dataset", history.toString(), "--bootstrap-servers", "127.0.0.1:1", "--timeout-minutes", "-1");
    assertEquals(1, result.getKey());
    assertTrue(result.getValue().contains("--timeout-minutes must be 0 (do not wait) or more, got -1"), result.getValue());
  }

  @Test
  void replayToATableShouldWriteTheOfflineReplaysFeatures() throws IOException {
    Path data = dir.resolve("data.csv");
    assertEquals(0, run("generate", "--out", data.toString(), "--users", "80", "--days", "30", "--seed", "3").getKey());
    Path table = dir.resolve("features.csv.gz");
    assertEquals(0, run("replay", "--dataset", data.toString(), "--to-table", table.toString(), "--label-delay-days", "3").getKey());

    List<String> lines;
    try (var in = new GZIPInputStream(Files.newInputStream(table))) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    assertEquals(String.join(",", FeatureTable.header()), lines.get(0));
    List<Transaction> payments = DatasetReader.read(data, DatasetMapping.preset("fraudstream"));
    List<FeatureRow> expected = OfflineReplay.replay(payments, "any-secret-will-do-16".getBytes(StandardCharsets.UTF_8), Duration.ofDays(3));
    assertEquals(expected.size() + 1, lines.size());
    // Every column of every row, the label-dependent ones included: with the default delay of 7
    // days the confirmed-fraud features differ, so a replay that ignored --label-delay-days shows.
    List<FeatureRow> withDefaultDelay = OfflineReplay.replay(payments, "any-secret-will-do-16".getBytes(StandardCharsets.UTF_8));
    assertTrue(IntStream.range(0, expected.size()).anyMatch(i ->
        !expected.get(i).features().equals(withDefaultDelay.get(i).features())),
        "the label delay must matter on this data for the comparison to mean anything");
    for (int i = 0; i < expected.size(); i++) {
      String[] cells = lines.get(i + 1).split(",", -1);
      assertEquals(expected.get(i).transaction().id(), cells[0]);
      for (Feature feature : Feature.values()) {
        assertEquals(expected.get(i).features().get(feature), Double.parseDouble(cells[4 + feature.ordinal()]),
            cells[0] + " " + feature.featureName());
      }
    }
  }

  @Test
  @Tag("broker")
  void replayToATopicShouldSendEveryPaymentKeyedByUserAndTheFraudLabels() throws Exception {
    Path generated = dir.resolve("generated.csv");
    assertEquals(0, run("generate", "--out", generated.toString(), "--users", "60", "--days", "5", "--seed", "4").getKey());
    // Newest first: replay must sort it (through the same path as a file larger than memory).
    List<Transaction> payments = new ArrayList<>(DatasetReader.read(generated, DatasetMapping.preset("fraudstream")));
    Collections.reverse(payments);
    Path data = dir.resolve("newest-first.csv");
    DatasetWriter.write(data, payments);
    long frauds = payments.stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      PrintStream originalOut = System.out;
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      Map.Entry<Integer, String> result;
      try {
        result = run("replay", "--dataset", data.toString(), "--to-topic", "replayed",
            "--bootstrap-servers", broker.bootstrapServers(), "--with-labels", "--labels-topic", "replayed-labels");
      } finally {
        System.setOut(originalOut);
      }
      assertEquals(0, result.getKey(), result.getValue());
      assertTrue(printed.toString(StandardCharsets.UTF_8).contains("is not in time order: sorting its " + payments.size() + " payments"),
          printed.toString(StandardCharsets.UTF_8));

      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      props.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-test");
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      Map<String, List<ConsumerRecord<String, byte[]>>> byTopic = new HashMap<>();
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of("replayed", "replayed-labels"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && count(byTopic, "replayed") + count(byTopic, "replayed-labels") < payments.size() + frauds) {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            byTopic.computeIfAbsent(record.topic(), t -> new ArrayList<>()).add(record);
          }
        }
      }
      assertEquals(payments.size(), count(byTopic, "replayed"));
      assertEquals(frauds, count(byTopic, "replayed-labels"));
      Map<Integer, Instant> newestPerPartition = new HashMap<>();
      for (ConsumerRecord<String, byte[]> record : byTopic.get("replayed")) {
        Transaction tx = TransactionJson.parseOrThrow(record.value());
        assertEquals(tx.user(), record.key(), "keyed by user");
        Instant newest = newestPerPartition.put(record.partition(), tx.timestamp());
        assertTrue(newest == null || !tx.timestamp().isBefore(newest), "sent in event-time order");
      }
    }
  }

  private static int count(Map<String, List<ConsumerRecord<String, byte[]>>> byTopic, String topic) {
    return byTopic.getOrDefault(topic, List.of()).size();
  }
}
