package io.fraudstream.engine.console;

import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.PaymentLabel;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link ConsoleView} from the engine's committed output: decisions, labels and challenge
 * results whose record time is within {@code lookBack} of now, or all that the topics retain when
 * it is zero; blocks and cases from the beginning (both compacted: a block read late is still in
 * force, a case still open); dead letters are only counted. A group of its own that commits
 * nothing, so every console sees everything and several consoles do not share the work. A record
 * it cannot read is counted and skipped.
 */
public final class TopicReader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final String casesTopic;
  private final ConsoleView view;
  private final BiConsumer<String, List<String>> casesErased;
  private final Duration lookBack;
  private final Thread thread;
  private volatile boolean running = true;

  /** @param casesErased told the user and the ids of the cases an erasure request removed, to delete them from the cases topic */
  public TopicReader(Properties clientProperties, Topics topics, String casesTopic, ConsoleView view, Duration lookBack,
      BiConsumer<String, List<String>> casesErased) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "fraudstream-console-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Topics the engine has not created yet are found within seconds of their creation.
    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "3000");
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.topics = topics;
    this.casesTopic = casesTopic;
    this.view = view;
    this.casesErased = casesErased;
    this.lookBack = lookBack;
    this.thread = new Thread(this::run, "fraudstream-console-reader");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topics.decisions(), topics.labels(), topics.blocks(), topics.deadLetters(), topics.challengeResults(),
          casesTopic, topics.erasures()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          seekToLookBack(partitions);
        }
      });
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          read(record);
        }
        view.sample(Instant.now());
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("the console stopped reading the engine's topics: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void seekToLookBack(Collection<TopicPartition> partitions) {
    if (lookBack.isZero()) {
      consumer.seekToBeginning(partitions);
      return;
    }
    long since = Instant.now().minus(lookBack).toEpochMilli();
    Map<TopicPartition, Long> times = new HashMap<>();
    // Blocks and cases are compacted and read whole: a block read late is still in force, a case still open.
    partitions.stream().filter(partition -> !partition.topic().equals(topics.blocks()) && !partition.topic().equals(casesTopic))
        .forEach(partition -> times.put(partition, since));
    for (Map.Entry<TopicPartition, OffsetAndTimestamp> found : consumer.offsetsForTimes(times).entrySet()) {
      if (found.getValue() == null) {
        consumer.seekToEnd(List.of(found.getKey()));
      } else {
        consumer.seek(found.getKey(), found.getValue().offset());
      }
    }
  }

  private void read(ConsumerRecord<String, byte[]> record) {
    if (record.topic().equals(topics.deadLetters())) {
      // A dead letter is counted, never read: its bytes are the hostile record itself.
      view.deadLetter(Instant.ofEpochMilli(Math.max(0, record.timestamp())));
      return;
    }
    byte[] value = record.value();
    if (value != null && InputLimits.checkRecordSize(value.length) != null) {
      view.unreadable();
      return;
    }
    Instant at = Instant.ofEpochMilli(Math.max(0, record.timestamp()));
    try {
      if (record.topic().equals(topics.decisions())) {
        view.decision(Topics.DECISION_SERDE.deserializer().deserialize(record.topic(), value));
      } else if (record.topic().equals(topics.blocks())) {
        view.block(record.key(), value == null ? null : Topics.BLOCK_SERDE.deserializer().deserialize(record.topic(), value), at);
      } else if (record.topic().equals(casesTopic)) {
        if (value == null && record.key() != null) {
          view.forgetCase(record.key());
        } else {
          view.caseRecord(CaseRecord.parse(record.key(), value));
        }
      } else if (record.topic().equals(topics.erasures())) {
        if (record.key() == null || InputLimits.checkKey(record.key()) != null) {
          throw new IllegalArgumentException("an erasure request is keyed by its user");
        }
        List<String> forgotten = view.erase(record.key());
        if (!forgotten.isEmpty()) {
          casesErased.accept(record.key(), forgotten);
        }
      } else if (record.topic().equals(topics.challengeResults())) {
        if (record.key() == null || InputLimits.checkKey(record.key()) != null) {
          throw new IllegalArgumentException("a challenge result is keyed by its user");
        }
        view.challengeResult(record.key(), ChallengeResult.parse(value));
      } else {
        PaymentLabel label = PaymentLabel.parse(record.key(), value);
        view.label(label.paymentId(), label.fraud(), at);
      }
    } catch (RuntimeException e) {
      view.unreadable();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
