package io.fraudstream.engine.answer;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.topology.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the decisions topic from its end, on every partition and in no consumer group, and
 * hands on the decisions of the payments asked about here. Read {@code read_uncommitted}, a
 * decision arrives as soon as the instance that made it has sent it, and is fetched at once;
 * {@code read_committed}, once its transaction has committed, fetched in batches, as it only
 * settles answers already given. Only the key is read of the other decisions. While this process
 * decides every partition of the transactions topic ({@code decidedHere}), and so hands every
 * decision over itself, the reader pauses, and starts again from the end when that changes.
 */
final class DecisionTail implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DecisionTail.class);
  private static final Duration REFRESH_PARTITIONS = Duration.ofMinutes(1);
  private static final Duration CHECK_NEEDED = Duration.ofSeconds(1);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Answers answers;
  private final Consumer<Decision> onDecision;
  private final Thread thread;
  private final Supplier<Set<Integer>> decidedHere;
  private final String transactions;
  private volatile boolean running = true;

  private DecisionTail(Properties clientProperties, String topic, IsolationLevel isolation, Answers answers, Consumer<Decision> onDecision,
      Supplier<Set<Integer>> decidedHere, String transactions) {
    this.decidedHere = decidedHere;
    this.transactions = transactions;
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    if (isolation == IsolationLevel.READ_COMMITTED) {
      props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(64 * 1024));
      props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
    } else {
      // A fetch returns as soon as one decision is there: this reader exists for latency.
      props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    }
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.answers = answers;
    this.onDecision = onDecision;
    this.thread = new Thread(this::follow, "fraudstream-decisions-" + isolation.toString().toLowerCase(Locale.ROOT));
    thread.setDaemon(true);
  }

  /** Follows {@code topic} from its end now. */
  static DecisionTail start(Properties clientProperties, String topic, IsolationLevel isolation, Answers answers,
      Consumer<Decision> onDecision, Supplier<Set<Integer>> decidedHere, String transactions) {
    DecisionTail tail = new DecisionTail(clientProperties, topic, isolation, answers, onDecision, decidedHere, transactions);
    tail.assignAll();
    tail.thread.start();
    return tail;
  }

  private void assignAll() {
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
    List<TopicPartition> added = partitions.stream().filter(partition -> !consumer.assignment().contains(partition)).toList();
    if (!added.isEmpty()) {
      consumer.assign(partitions);
      consumer.seekToEnd(added);
    }
  }

  private void follow() {
    long nextRefresh = System.nanoTime() + REFRESH_PARTITIONS.toNanos();
    long nextCheck = System.nanoTime();
    boolean paused = false;
    try {
      while (running) {
        try {
          if (System.nanoTime() - nextCheck > 0) {
            nextCheck = System.nanoTime() + CHECK_NEEDED.toNanos();
            boolean pause = decidedHere.get().size() >= consumer.partitionsFor(transactions, Duration.ofSeconds(5)).size();
            if (pause && !paused) {
              consumer.pause(consumer.assignment());
            } else if (!pause && paused) {
              consumer.seekToEnd(consumer.assignment());
              consumer.resume(consumer.assignment());
            }
            paused = pause;
          }
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(paused ? CHECK_NEEDED.toMillis() : 500))) {
            if (answers.asked(record.key())) {
              read(record);
            }
          }
          if (System.nanoTime() - nextRefresh > 0) {
            nextRefresh = System.nanoTime() + REFRESH_PARTITIONS.toNanos();
            assignAll();
            if (paused) {
              consumer.pause(consumer.assignment());
            }
          }
        } catch (KafkaException e) {
          if (e instanceof WakeupException) {
            throw e;
          }
          // The cluster away: answers wait for the payment path here, or fall back at their
          // deadline, until it is back; the reader goes on rather than stopping for good.
          LOG.warn("Reading the decisions topic {} failed ({}); trying again in {} s", topic, e.toString(), RETRY.toSeconds());
          Thread.sleep(RETRY.toMillis());
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("Stopped following the decisions topic {}: the decide endpoint answers from this process only", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Hands on the decision under a key someone asked about. Anyone who can write to the topic can
   * put anything there: a record that is not a decision of that very payment is skipped, and
   * nothing in one stops this reader.
   */
  private void read(ConsumerRecord<String, byte[]> record) {
    try {
      Decision decision = Topics.DECISION_SERDE.deserializer().deserialize(topic, record.value());
      if (decision == null || decision.tier() == null || !record.key().equals(decision.paymentId())) {
        LOG.warn("A record on {} under payment id {} that is not its decision, offset {}: skipped", topic, record.key(), record.offset());
        return;
      }
      onDecision.accept(decision);
    } catch (RuntimeException e) {
      LOG.warn("An unreadable record on {} under a payment id asked about, offset {}: {}", topic, record.offset(), e.getMessage());
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
