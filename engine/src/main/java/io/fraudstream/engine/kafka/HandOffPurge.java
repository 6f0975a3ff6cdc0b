package io.fraudstream.engine.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes from the hand-off topics what their reader has committed, as Kafka Streams does for its
 * own repartition topics. The hand-offs keep no time-based retention: their records carry the
 * payments' times, which in a replay or a backfill are months old, and a broker's retention
 * check would delete them before they were read. So without this they would only grow.
 */
public final class HandOffPurge implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HandOffPurge.class);
  private final Admin admin;
  private final ScheduledExecutorService timer;

  private HandOffPurge(Admin admin, ScheduledExecutorService timer) {
    this.admin = admin;
    this.timer = timer;
  }

  /**
   * Every {@code interval}, deletes the records of {@code topics} before the offsets {@code group}
   * has committed. The engine takes Kafka Streams' own {@code repartition.purge.interval.ms} (30 s
   * by default), which does the same for the repartition topics.
   */
  public static HandOffPurge start(Properties clientProperties, String group, Collection<String> topics, Duration interval) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "fraudstream-hand-off-purge");
      thread.setDaemon(true);
      return thread;
    });
    Admin admin = Admin.create(props);
    HandOffPurge purge = new HandOffPurge(admin, timer);
    timer.scheduleWithFixedDelay(() -> {
      try {
        purgeCommitted(admin, group, topics);
      } catch (Exception e) {
        LOG.warn("Could not delete the committed records of the hand-off topics: {}", e.toString());
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return purge;
  }

  /** Deletes, on each partition of {@code topics}, the records before {@code group}'s committed offset; returns how many partitions. */
  public static int purgeCommitted(Admin admin, String group, Collection<String> topics) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    Map<TopicPartition, RecordsToDelete> before = new HashMap<>();
    committed.forEach((partition, offset) -> {
      if (offset != null && topics.contains(partition.topic()) && offset.offset() > 0) {
        before.put(partition, RecordsToDelete.beforeOffset(offset.offset()));
      }
    });
    if (!before.isEmpty()) {
      admin.deleteRecords(before).all().get(10, TimeUnit.SECONDS);
    }
    return before.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
