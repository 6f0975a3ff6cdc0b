package io.fraudstream.engine.kafka;

import io.fraudstream.engine.topology.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the engine's topics when they do not exist yet. */
public final class TopicAdmin {

  private TopicAdmin() {}

  /**
   * Creates any missing topic with {@code partitions} partitions and the cluster's default
   * replication factor; the blocks topic is compacted, since only the latest block per entity matters.
   */
  public static void ensureTopics(Properties clientProps, Topics topics, int partitions) {
    ensureTopics(clientProps, topics.all(), partitions, topics.compacted());
  }

  /** Creates those of {@code names} that are missing, {@code compacted} ones compacted; returns the ones it created. */
  public static List<String> ensureTopics(Properties clientProps, Collection<String> names, int partitions, Set<String> compacted) {
    return ensureTopics(clientProps, names, partitions, compacted, Map.of());
  }

  /** As {@link #ensureTopics(Properties, Collection, int, Set)}, each created topic also with {@code configs}. */
  public static List<String> ensureTopics(Properties clientProps, Collection<String> names, int partitions, Set<String> compacted,
      Map<String, String> configs) {
    try (Admin admin = Admin.create(clientProps)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String name : new LinkedHashSet<>(names)) {
        if (!existing.contains(name)) {
          NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty());
          Map<String, String> topicConfigs = new HashMap<>(configs);
          if (compacted.contains(name)) {
            topicConfigs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
          }
          topic.configs(topicConfigs);
          missing.add(topic);
        }
      }
      List<String> created = missing.stream().map(NewTopic::name).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        awaitLeaders(admin, created);
      }
      return created;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics on " + clientProps.get("bootstrap.servers") + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * Waits until the cluster's metadata shows every partition of {@code names} with a leader. A
   * topic is created before the brokers' metadata shows it, and a Kafka Streams application that
   * starts reading it in between fails its first rebalance (a stream thread lost and replaced).
   */
  private static void awaitLeaders(Admin admin, List<String> names) throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        boolean led = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
            .allMatch(topic -> topic.partitions().stream().allMatch(partition -> partition.leader() != null));
        if (led) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("created topics " + names + " have no leader after 30 s");
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
