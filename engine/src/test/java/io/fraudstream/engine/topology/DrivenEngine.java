package io.fraudstream.engine.topology;

import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.Alert;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.serving.EngineMetrics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The engine's whole topology in a {@link TopologyTestDriver} (default topics, no grace unless given, the test
 * model's pseudonymiser, dead letters handled as in serving), with the topics most tests feed
 * and read.
 */
final class DrivenEngine implements AutoCloseable {

  final Topics topics = Topics.defaults();
  final EngineMetrics metrics = EngineMetrics.inMemory();
  final TopologyTestDriver driver;
  final TestInputTopic<String, byte[]> payments;
  final TestOutputTopic<String, Decision> decisions;
  final TestOutputTopic<String, Alert> alerts;
  final TestOutputTopic<String, Block> blocks;
  final TestOutputTopic<String, byte[]> deadLetters;

  DrivenEngine(String applicationId, DecisionPolicy policy, ChallengePolicy challenges) {
    this(applicationId, policy, challenges, Duration.ZERO);
  }

  /** @param grace how far out of time order payments may arrive (a reorder buffer when positive) */
  DrivenEngine(String applicationId, DecisionPolicy policy, ChallengePolicy challenges, Duration grace) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    DeadLetterHandler.install(props, topics, metrics);
    driver = new TopologyTestDriver(FraudTopology.build(topics, policy, metrics, TestModels.PSEUDONYMISER, 4, grace,
        InputWindow.defaults(), challenges), props);
    payments = input(topics.transactions());
    decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(), Topics.DECISION_SERDE.deserializer());
    alerts = driver.createOutputTopic(topics.alerts(), new StringDeserializer(), Topics.ALERT_SERDE.deserializer());
    blocks = driver.createOutputTopic(topics.blocks(), new StringDeserializer(), Topics.BLOCK_SERDE.deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters(), new StringDeserializer(), Topics.RAW_SERDE.deserializer());
  }

  /** Another input topic of the engine, as raw bytes keyed by text. */
  TestInputTopic<String, byte[]> input(String topic) {
    return driver.createInputTopic(topic, new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public void close() {
    driver.close();
  }
}
