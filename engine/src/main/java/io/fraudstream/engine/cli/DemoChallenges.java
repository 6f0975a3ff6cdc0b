package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.models.data.SyntheticGenerator;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo's users answering the challenges they are sent, as the payment app would report them
 * on the challenge-results topic: legitimate users pass or leave it, fraudsters fail or abandon
 * it, at the rates of {@link SyntheticGenerator#answer}, each answer some seconds after its payment.
 * Called from the output reader's thread only.
 */
final class DemoChallenges implements AutoCloseable {

  /** How long after its payment a challenge is answered, in the payment's time. */
  static final Duration ANSWERED_AFTER = Duration.ofSeconds(20);

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final SplittableRandom random;
  private final Map<ChallengeResult.Outcome, Long> sent = new EnumMap<>(ChallengeResult.Outcome.class);

  DemoChallenges(EngineConfig config, long seed) {
    this.topic = config.topics().challengeResults();
    Properties props = config.clientProperties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.random = new SplittableRandom(seed);
  }

  /** Answers the challenge of this decision's payment, as its user would. */
  void answer(Decision challenged, boolean fraud) {
    ChallengeResult.Outcome outcome = SyntheticGenerator.answer(fraud, random);
    ChallengeResult result = new ChallengeResult(challenged.paymentId(), outcome, "otp", challenged.timestamp().plus(ANSWERED_AFTER));
    producer.send(new ProducerRecord<>(topic, challenged.user(), result.toJson()));
    synchronized (sent) {
      sent.merge(outcome, 1L, Long::sum);
    }
  }

  /** The answers sent so far, by outcome. */
  Map<ChallengeResult.Outcome, Long> sent() {
    synchronized (sent) {
      Map<ChallengeResult.Outcome, Long> copy = new EnumMap<>(ChallengeResult.Outcome.class);
      for (ChallengeResult.Outcome outcome : ChallengeResult.Outcome.values()) {
        copy.put(outcome, sent.getOrDefault(outcome, 0L));
      }
      return copy;
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
