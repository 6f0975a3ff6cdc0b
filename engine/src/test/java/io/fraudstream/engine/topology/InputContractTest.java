package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.features.UserState;
import io.fraudstream.features.streams.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The input contract on the topology: every hostile record ends as a decision, a dead letter with
 * a reason, or a counted skip, and the next valid payment is still decided.
 */
class InputContractTest {

  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private final Topics topics = Topics.defaults();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> transactions;
  private TestOutputTopic<String, Decision> decisions;
  private TestOutputTopic<String, byte[]> deadLetters;
  private EngineMetrics metrics;

  @BeforeEach
  void start() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "contract-test");
    metrics = EngineMetrics.inMemory();
    DeadLetterHandler.install(props, topics, metrics);
    InputWindow window = new InputWindow(Duration.ofMinutes(5), Duration.ofDays(400), Clock.fixed(NOW, ZoneOffset.UTC));
    driver = new TopologyTestDriver(FraudTopology.build(topics, new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24)),
        metrics, TestModels.PSEUDONYMISER, 4, Duration.ZERO, window, ChallengePolicy.defaults()), props);
    transactions = driver.createInputTopic(topics.transactions(), new StringSerializer(), new ByteArraySerializer());
    decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(), Topics.DECISION_SERDE.deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters(), new StringDeserializer(), Topics.RAW_SERDE.deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void send(String id, Instant at) {
    transactions.pipeInput("alice", TransactionJson.write(Transaction.of(id, at, "alice", 10).toBuilder().merchant("m1").build()));
  }

  @Test
  void shouldDecidePaymentsInsideTheWindowAndDeadLetterThoseOutsideWithTheReason() {
    send("ahead-4min", NOW.plus(Duration.ofMinutes(4)));
    send("ahead-6min", NOW.plus(Duration.ofMinutes(6)));
    send("age-399d", NOW.minus(Duration.ofDays(399)));
    send("age-401d", NOW.minus(Duration.ofDays(401)));
    assertEquals(List.of("age-399d", "ahead-4min"), decidedIds().stream().sorted().toList());
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(2, dead.size());
    assertTrue(header(dead.get(0), DeadLetterHeaders.REASON).contains("more than 5 minutes ahead of the engine's clock"));
    assertTrue(header(dead.get(1), DeadLetterHeaders.REASON).contains("more than 400 days before the engine's clock"));
    assertEquals("check", header(dead.get(0), DeadLetterHeaders.STAGE));
  }

  @Test
  void shouldNotLetAPaymentDatedAYearAheadMoveStreamTimeAndExpireEveryUser() {
    send("before", NOW.minus(Duration.ofDays(1)));
    send("a-year-ahead", NOW.plus(Duration.ofDays(365)));
    send("after", NOW);
    driver.advanceWallClockTime(io.fraudstream.features.streams.StoreRetention.CHECK_INTERVAL);
    KeyValueStore<String, UserState> users = driver.getKeyValueStore(FraudTopology.USER_STATE_STORE);
    assertEquals(2, users.get("alice").payments(), "the state of alice survives: retention ran on the payments' own times");
    assertEquals(List.of("before", "after"), decidedIds());
    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertTrue(dead.timestamp() <= Instant.now().plus(Duration.ofHours(1)).toEpochMilli(), "the dead letter keeps a time the broker accepts");
  }

  @Test
  void shouldTruncateTheDeadLetterOfARecordOverTheLimitAndSayHowLargeItWas() {
    byte[] huge = ("{\"id\":\"big\",\"pad\":\"" + "x".repeat(600_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    String hugeKey = "k".repeat(10_000);
    transactions.pipeInput(hugeKey, huge);
    send("after", NOW);
    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertEquals(InputLimits.MAX_RECORD_BYTES, dead.value().length);
    assertEquals(Integer.toString(huge.length), header(dead, DeadLetterHeaders.TRUNCATED_FROM));
    assertEquals(InputLimits.MAX_FIELD_CHARS, dead.key().length());
    assertTrue(header(dead, DeadLetterHeaders.REASON).startsWith("record is " + huge.length + " bytes"));
    assertEquals(List.of("after"), decidedIds());
  }

  @Test
  void shouldDeadLetterLabelsAndErasuresThatBreakTheContract() {
    TestInputTopic<String, byte[]> labels = driver.createInputTopic(topics.labels(), new StringSerializer(), new ByteArraySerializer());
    TestInputTopic<String, byte[]> erasures = driver.createInputTopic(topics.erasures(), new StringSerializer(), new ByteArraySerializer());
    labels.pipeInput("p1", ("{\"fraud\":true,\"timestamp\":\"" + NOW.plus(Duration.ofHours(2)) + "\"}").getBytes(StandardCharsets.UTF_8));
    labels.pipeInput("p".repeat(300), ("{\"fraud\":true,\"timestamp\":\"" + NOW + "\"}").getBytes(StandardCharsets.UTF_8));
    labels.pipeInput("p2", "{\"fraud\":true,\"timestamp\":1762077600}".getBytes(StandardCharsets.UTF_8));
    erasures.pipeInput("u".repeat(1_000), new byte[0]);
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(4, dead.size());
    assertTrue(header(dead.get(0), DeadLetterHeaders.REASON).contains("label timestamp"));
    assertTrue(header(dead.get(1), DeadLetterHeaders.REASON).contains("record key is 300 characters"));
    assertTrue(header(dead.get(2), DeadLetterHeaders.REASON).contains("looks like epoch seconds"));
    assertTrue(header(dead.get(3), DeadLetterHeaders.REASON).contains("record key is 1000 characters"));
    assertEquals(topics.erasures(), header(dead.get(3), DeadLetterHeaders.TOPIC));
    assertEquals(3.0, metrics.registry().counter("fraudstream.dead.letters", "source", topics.labels()).count());
    assertEquals(1.0, metrics.registry().counter("fraudstream.dead.letters", "source", topics.erasures()).count());
  }

  @Test
  void shouldCountAndSkipHostileRecordsOnTheInternalTopicsAndGoOn() {
    TestInputTopic<String, byte[]> events = driver.createInputTopic(FraudTopology.HandOff.of("fraudstream").entityEvents(),
        new StringSerializer(), new ByteArraySerializer());
    events.pipeInput("device|hmac:0000000000000001", "garbage".getBytes(StandardCharsets.UTF_8));
    events.pipeInput("planet|mars", new byte[25]);
    TestInputTopic<String, byte[]> outcomes = driver.createInputTopic(FraudTopology.HandOff.of("fraudstream").outcomes(),
        new StringSerializer(), new ByteArraySerializer());
    outcomes.pipeInput("p1", "garbage".getBytes(StandardCharsets.UTF_8));
    TestInputTopic<String, byte[]> risk = driver.createInputTopic(topics.entityRisk(), new StringSerializer(), new ByteArraySerializer());
    risk.pipeInput("merchant|m1", "not a state".getBytes(StandardCharsets.UTF_8));
    risk.pipeInput("#progress|0", new byte[3]);
    send("after", NOW);

    assertEquals(List.of("after"), decidedIds());
    assertTrue(deadLetters.isEmpty());
    assertEquals(2.0, metrics.registry().counter("fraudstream.skipped.records", "reason", "unreadable-entity-event").count());
    assertEquals(1.0, metrics.registry().counter("fraudstream.skipped.records", "reason", "unreadable-outcome").count());
    assertEquals(2.0, metrics.registry().counter("fraudstream.skipped.records", "reason", "unreadable-entity-risk").count());
  }

  @Test
  void shouldDecideEveryPaymentAtAMerchantWhosePublishedStateIsGarbageOfTheRightForm() {
    // Passes the loader's check of version and size, so it is stored; what a payment then reads
    // must neither stop the thread nor send the payment to the dead-letter topic.
    TestInputTopic<String, byte[]> risk = driver.createInputTopic(topics.entityRisk(), new StringSerializer(), new ByteArraySerializer());
    Random random = new Random(7);
    for (int i = 0; i < 50; i++) {
      byte[] garbage = io.fraudstream.features.EntityState.empty().toBytes();
      random.nextBytes(garbage);
      garbage[0] = 1;   // the stored form's version
      assertTrue(io.fraudstream.features.EntityState.hasStoredForm(garbage));
      risk.pipeInput("merchant|m-garbage", garbage);
      transactions.pipeInput("alice", TransactionJson.write(Transaction.of("g" + i, NOW.plusSeconds(i), "alice", 10).toBuilder()
          .merchant("m-garbage").build()));
    }
    assertEquals(50, decidedIds().size());
    assertTrue(deadLetters.isEmpty());
  }

  @Test
  void shouldDeadLetterARecordThatCannotBeDeserializedThroughKafkaStreamsHandlers() {
    // Every serde of the engine's own topology reads anything; this one refuses, to prove the
    // handler's path: the record goes to the dead-letter topic and the next passes.
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in", Consumed.with(Serdes.String(), Serdes.serdeFrom(new StringSerializer(), (topic, bytes) -> {
          if (new String(bytes, StandardCharsets.UTF_8).equals("garbage")) {
            throw new org.apache.kafka.common.errors.SerializationException("not readable");
          }
          return new String(bytes, StandardCharsets.UTF_8);
        })))
        .to("out", Produced.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "handler-test");
    DeadLetterHandler.install(props, topics, metrics);
    try (TopologyTestDriver refusing = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<String, String> in = refusing.createInputTopic("in", new StringSerializer(), new StringSerializer());
      in.pipeInput("k", "garbage");
      in.pipeInput("k", "fine");
      assertEquals(List.of("fine"), refusing.createOutputTopic("out", new StringDeserializer(), new StringDeserializer()).readValuesToList());
      TestRecord<String, byte[]> dead = refusing.createOutputTopic(topics.deadLetters(), new StringDeserializer(),
          Topics.RAW_SERDE.deserializer()).readRecord();
      assertEquals("deserialization", header(dead, DeadLetterHeaders.STAGE));
      assertEquals("garbage", new String(dead.value(), StandardCharsets.UTF_8));
      assertEquals("in", header(dead, DeadLetterHeaders.TOPIC));
      assertEquals("0", header(dead, DeadLetterHeaders.OFFSET));
      assertTrue(header(dead, DeadLetterHeaders.REASON).startsWith("cannot read the record: SerializationException"));
    }
    assertEquals(1.0, metrics.registry().counter("fraudstream.record.errors", "stage", "deserialization").count());
  }

  @Test
  void shouldDeadLetterARecordWhoseProcessingThrowsAndGoOn() {
    // No record of the engine's own topology is known to throw in processing; this one does, to
    // prove the handler's path: the source record goes to the dead-letter topic and the next passes.
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
        .mapValues(value -> {
          if (value.equals("boom")) {
            throw new IllegalStateException("a bug met this record");
          }
          return value;
        }, Named.as("may-throw"))
        .to("out", Produced.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "handler-test");
    DeadLetterHandler.install(props, topics, metrics);
    try (TopologyTestDriver throwing = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<String, String> in = throwing.createInputTopic("in", new StringSerializer(), new StringSerializer());
      in.pipeInput("k", "boom");
      in.pipeInput("k", "fine");
      assertEquals(List.of("fine"), throwing.createOutputTopic("out", new StringDeserializer(), new StringDeserializer()).readValuesToList());
      TestRecord<String, byte[]> dead = throwing.createOutputTopic(topics.deadLetters(), new StringDeserializer(),
          Topics.RAW_SERDE.deserializer()).readRecord();
      assertEquals("boom", new String(dead.value(), StandardCharsets.UTF_8));
      assertEquals("processing", header(dead, DeadLetterHeaders.STAGE));
      assertEquals("processing failed in may-throw: IllegalStateException: a bug met this record", header(dead, DeadLetterHeaders.REASON));
    }
    assertEquals(1.0, metrics.registry().counter("fraudstream.record.errors", "stage", "processing").count());
  }

  @Test
  void shouldCountAnUnreadableBlockAsTheLiftingOfItsKeysBlock() {
    TestInputTopic<String, byte[]> blocks = driver.createInputTopic(topics.blocks(), new StringSerializer(), new ByteArraySerializer());
    Block onUser = new Block("user:alice", "user", null, "test", NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofHours(1)));
    blocks.pipeInput(onUser.entity(), Topics.BLOCK_SERDE.serializer().serialize(topics.blocks(), onUser));
    send("while-blocked", NOW);
    blocks.pipeInput(onUser.entity(), "not a block".getBytes(StandardCharsets.UTF_8));
    send("after-garbage", NOW.plusSeconds(1));
    List<Decision> decided = decisions.readValuesToList();
    assertEquals(Tier.BLOCK, decided.get(0).tier());
    assertNull(decided.get(1).activeBlock());
    assertEquals(1.0, metrics.registry().counter("fraudstream.skipped.records", "reason", "unreadable-block").count());
    assertTrue(deadLetters.isEmpty());
  }

  private List<String> decidedIds() {
    return decisions.readRecordsToList().stream().map(TestRecord::key).toList();
  }

  private static String header(TestRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
