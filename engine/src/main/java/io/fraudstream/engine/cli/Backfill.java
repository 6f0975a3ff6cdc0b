package io.fraudstream.engine.cli;

import io.fraudstream.engine.FraudEngine;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Brings a running engine's state up to a point in time from history: sends the payments before
 * it, in time order, with their labels and challenge outcomes, to the backfill topic, which the
 * engine applies to its users' and entities' state without deciding them; then waits until the
 * engine has applied them all.
 *
 * <p>Applied means: the engine's consumer group has committed the backfill topic up to its end,
 * then the off-path application has committed the two hand-off topics the backfill feeds (entity
 * events, and the label join's marks) up to their ends as they stood then; and a settling time has passed for the entity states to be
 * published and read back by every instance (one publish interval and one commit interval, in
 * practice well under {@link #SETTLE}).
 */
final class Backfill {

  /** Time for the entity states to be published and read by every instance, after their events are committed. */
  static final Duration SETTLE = Duration.ofSeconds(3);
  /** After this long with nothing applied, the command says what might be wrong, and goes on waiting. */
  private static final Duration NOTHING_APPLIED_HINT = Duration.ofSeconds(60);

  /** What was sent and applied, and how fast. */
  record Result(long sent, long frauds, long challenged, long skippedAfterUntil, double seconds) {
    double rate() {
      return sent / Math.max(1e-9, seconds);
    }
  }

  /** Payments in time order, handed one by one. */
  interface Source {
    void forEach(Consumer<Transaction> each) throws IOException;
  }

  private final Properties clientProps;
  private final String applicationId;
  private final String topic;
  private final PrintStream out;

  Backfill(Properties clientProps, String applicationId, Topics topics, PrintStream out) {
    this.clientProps = clientProps;
    this.applicationId = applicationId;
    this.topic = topics.backfill();
    this.out = out;
  }

  /**
   * Sends every payment of {@code source} before {@code until} ({@code null}: all), then waits
   * up to {@code timeout} until the engine has applied them ({@code timeout} zero: does not wait).
   */
  Result run(Source source, long payments, Instant until, Duration timeout) throws IOException, InterruptedException {
    requireTopic();
    Properties props = new Properties();
    props.putAll(clientProps);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    long start = System.nanoTime();
    long[] counts = new long[4];
    Instant[] previous = {Instant.MIN};
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> firstFailure = new AtomicReference<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, Topics.KEY_SERDE.serializer(), new ByteArraySerializer())) {
      ProgressBar progress = new ProgressBar(out, "   sent", payments);
      source.forEach(tx -> {
        if (tx.timestamp().isBefore(previous[0])) {
          // State only moves forward: an older payment after a newer one of its user would be skipped.
          throw new IllegalArgumentException("the history is not in time order at payment '" + tx.id() + "' (" + tx.timestamp()
              + " after " + previous[0] + ")");
        }
        previous[0] = tx.timestamp();
        if (until != null && !tx.timestamp().isBefore(until)) {
          counts[3]++;
          return;
        }
        producer.send(new ProducerRecord<>(topic, tx.user(), TransactionJson.write(tx)), (metadata, error) -> {
          if (error != null) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, error);
          }
        });
        counts[0]++;
        counts[1] += Boolean.TRUE.equals(tx.label()) ? 1 : 0;
        counts[2] += tx.challenge() != null ? 1 : 0;
        progress.update(counts[0] + counts[3]);
      });
      producer.flush();
    }
    if (failed.get() > 0) {
      // The producer retries what can be retried; what is left was refused, and the state would miss it.
      throw new IllegalStateException(failed.get() + " of " + counts[0] + " payments could not be sent to '" + topic + "' ("
          + firstFailure.get().getMessage() + "); the rest were sent, and running the backfill again skips what the engine already holds");
    }
    if (!timeout.isZero()) {
      awaitApplied(counts[0], start, timeout);
    }
    return new Result(counts[0], counts[1], counts[2], counts[3], (System.nanoTime() - start) / 1e9);
  }

  /** Waits until the engine has applied everything on the backfill topic, with a progress bar of what it has. */
  private void awaitApplied(long sent, long start, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(clientProps)) {
      List<TopicPartition> partitions = partitionsOf(admin, topic);
      Map<TopicPartition, Long> ends = endOffsets(admin, partitions);
      long total = ends.values().stream().mapToLong(Long::longValue).sum();
      ProgressBar progress = new ProgressBar(out, "applied", sent);
      long behind;
      long behindAtStart = behind(admin, applicationId, ends, 0);
      long hintAt = System.nanoTime() + NOTHING_APPLIED_HINT.toNanos();
      while ((behind = behind(admin, applicationId, ends, 0)) > 0) {
        progress.update(Math.max(0, sent - behind));
        if (behind == behindAtStart && hintAt != 0 && System.nanoTime() > hintAt) {
          out.printf(Locale.ROOT, "   nothing applied after %d s: is the engine running, with --application-id %s and --backfill-topic %s?%n",
              NOTHING_APPLIED_HINT.toSeconds(), applicationId, topic);
          hintAt = 0;
        }
        checkDeadline(deadline, "the engine (application id '" + applicationId + "') has " + behind + " of " + total
            + " records on '" + topic + "' still to apply; is it running with that --application-id and --backfill-topic?");
        Thread.sleep(200);
      }
      progress.update(sent);
      // What the backfill handed to the entity side and the label join, up to where it stood now.
      Map<TopicPartition, Long> downstream = new HashMap<>();
      FraudTopology.HandOff handOff = FraudTopology.HandOff.of(applicationId);
      for (String handedOff : List.of(handOff.entityEvents(), handOff.outcomes())) {
        downstream.putAll(endOffsets(admin, partitionsOf(admin, handedOff)));
      }
      // The engine writes these in transactions: the last commit marker of a partition may stay
      // uncommitted by the group until more arrives, so one record per partition is allowed for.
      while ((behind = behind(admin, FraudEngine.offPathApplicationId(applicationId), downstream, 1)) > 0) {
        checkDeadline(deadline, "the engine's entity side has " + behind + " records of the backfill still to apply");
        Thread.sleep(100);
      }
      Thread.sleep(SETTLE.toMillis());
    }
    out.printf(Locale.ROOT, "   applied %,d payments in %.1f s (%,.0f/s, sent and applied)%n", sent, (System.nanoTime() - start) / 1e9,
        sent / Math.max(1e-9, (System.nanoTime() - start) / 1e9));
  }

  /** The engine creates its topics when it starts: a missing backfill topic means no engine ran there with this topic. */
  private void requireTopic() {
    try (Admin admin = Admin.create(clientProps)) {
      if (!call(admin.listTopics().names()).contains(topic)) {
        throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + clientProps.get("bootstrap.servers")
            + ": start the engine first (it creates its topics), or check --backfill-topic");
      }
    }
  }

  private static void checkDeadline(long deadline, String message) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(message);
    }
  }

  /** Records {@code group} has not committed past, of those up to {@code ends}, beyond {@code allowed} per partition. */
  private static long behind(Admin admin, String group, Map<TopicPartition, Long> ends, long allowed) {
    Map<TopicPartition, OffsetAndMetadata> committed = call(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
    long behind = 0;
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      OffsetAndMetadata at = committed.get(end.getKey());
      behind += Math.max(0, end.getValue() - (at == null ? 0 : at.offset()) - allowed);
    }
    return behind;
  }

  private static List<TopicPartition> partitionsOf(Admin admin, String topic) {
    return call(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, List<TopicPartition> partitions) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = call(admin.listOffsets(latest).all());
    Map<TopicPartition, Long> ends = new HashMap<>();
    found.forEach((partition, info) -> ends.put(partition, info.offset()));
    return ends;
  }

  private static <T> T call(KafkaFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the cluster did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
