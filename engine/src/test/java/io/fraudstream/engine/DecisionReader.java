package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Feature;
import io.fraudstream.models.FeatureRow;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a decisions topic (which must exist) from the start with {@code read_committed}, as a
 * payment service would, in a thread of its own: every decision per payment id, and when each first became
 * readable. Counting every record, not a map of the latest, is what lets a test see a duplicate.
 */
final class DecisionReader implements AutoCloseable {

  /** A payment's decisions as read: how many, the first, and when the first became readable (nanoTime). */
  record Seen(int count, Decision first, Decision last, long firstReadNanos) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final AtomicInteger records = new AtomicInteger();
  private final Thread thread;
  private volatile boolean running = true;

  DecisionReader(String bootstrapServers, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    // Assigned, not subscribed: without a group there is no rebalance, and no committed offset to
    // fall back to, so a record read twice was written twice.
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread = new Thread(this::read, "decision-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The decision a record holds, or null for one that holds none: a test may write what an
   * attacker could, and the engine's decisions are told apart by their own payment id.
   */
  private static Decision decisionIn(byte[] value) {
    try {
      Decision decision = Topics.DECISION_SERDE.deserializer().deserialize(null, value);
      return decision == null || decision.paymentId() == null || decision.tier() == null ? null : decision;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void read() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          Decision decision = decisionIn(record.value());
          if (decision == null) {
            continue;
          }
          records.incrementAndGet();
          seen.merge(decision.paymentId(), new Seen(1, decision, decision, now),
              (old, fresh) -> new Seen(old.count() + 1, old.first(), decision, old.firstReadNanos()));
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  /** Waits until every id has a decision, then {@code quiet} longer for duplicates; fails naming how many are missing. */
  void awaitAll(Collection<String> ids, Duration timeout, Duration quiet) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!seen.keySet().containsAll(ids)) {
      if (System.nanoTime() > deadline) {
        List<String> missing = ids.stream().filter(id -> !seen.containsKey(id)).toList();
        throw new AssertionError(missing.size() + " of " + ids.size() + " payments have no readable decision after " + timeout
            + ", among them " + missing.subList(0, Math.min(10, missing.size())));
      }
      Thread.sleep(50);
    }
    Thread.sleep(quiet.toMillis());
  }

  /** Waits until at least {@code count} decisions are readable. */
  void awaitCount(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (seen.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + seen.size() + " of " + count + " decisions after " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Asserts that the first decision read for each row's payment was made on the row's user
   * features (those before the entity features), exactly: the offline replay's, bit for bit.
   */
  void assertUserFeaturesAre(List<FeatureRow> offline) {
    for (FeatureRow row : offline) {
      Seen decided = seen.get(row.transaction().id());
      assertNotNull(decided, "no decision read for " + row.transaction().id());
      Map<String, Double> live = decided.first().features();
      for (Feature feature : Feature.values()) {
        if (feature.ordinal() < Feature.MERCHANT_TX_COUNT_1D.ordinal()) {
          assertEquals(row.features().get(feature), live.get(feature.featureName()), row.transaction().id() + " " + feature.featureName());
        }
      }
    }
  }

  Map<String, Seen> seen() {
    return Map.copyOf(seen);
  }

  /** Decision records read, duplicates included. */
  int records() {
    return records.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(5_000);
  }
}
