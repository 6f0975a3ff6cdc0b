package io.fraudstream.engine.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts hanging transactions on the engine's partitions. A broker killed with -9 can
 * come back with a transaction open on some partitions although its coordinator has completed
 * it (measured: the coordinator said CompleteCommit, the partitions never got the marker). The
 * partition's last stable offset then never moves, a store restoring from it with
 * {@code read_committed} never finishes, and the engine stays in REBALANCING for good.
 *
 * <p>The watchdog acts only while the engine has been rebalancing for {@link #STALLED_FOR}, and
 * only on a transaction seen open on a partition twice, {@link #CONFIRM_AFTER} apart, whose
 * producer the coordinator does not list as in a transaction. It aborts it as
 * {@code kafka-transactions.sh abort} does, and logs each one. The records of such a transaction
 * are lost on that partition, which the coordinator had already called complete, so the engine
 * gives it only the topics whose records it writes again (its changelogs, hand-offs and the
 * entity-risk topic: a state published again at the entity's next payment), never decisions.
 * On a replicated cluster it has had nothing to do ({@code ClusterFaultsIntegrationTest}).
 */
public final class HangingTransactions implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
  static final Duration STALLED_FOR = Duration.ofSeconds(20);
  static final Duration CONFIRM_AFTER = Duration.ofSeconds(5);
  private static final Set<TransactionState> IN_A_TRANSACTION =
      Set.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);

  private final Admin admin;
  private final ScheduledExecutorService timer;

  private HangingTransactions(Admin admin, ScheduledExecutorService timer) {
    this.admin = admin;
    this.timer = timer;
  }

  /**
   * Checks every {@link #CONFIRM_AFTER} whether {@code rebalancing} has held for {@link #STALLED_FOR}
   * and, if so, aborts the hanging transactions on the topics {@code ours} accepts.
   *
   * @param onAborted called once per aborted transaction
   */
  public static HangingTransactions watch(Properties clientProperties, BooleanSupplier rebalancing, Predicate<String> ours,
      Runnable onAborted) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    Admin admin = Admin.create(props);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "fraudstream-hanging-transactions");
      thread.setDaemon(true);
      return thread;
    });
    HangingTransactions watchdog = new HangingTransactions(admin, timer);
    long[] rebalancingSince = {Long.MIN_VALUE};
    Map<TopicPartition, ProducerState> suspects = new HashMap<>();
    timer.scheduleWithFixedDelay(() -> {
      try {
        if (!rebalancing.getAsBoolean()) {
          rebalancingSince[0] = Long.MIN_VALUE;
          suspects.clear();
          return;
        }
        long now = System.nanoTime();
        if (rebalancingSince[0] == Long.MIN_VALUE) {
          rebalancingSince[0] = now;
        }
        if (now - rebalancingSince[0] < STALLED_FOR.toNanos()) {
          return;
        }
        Map<TopicPartition, ProducerState> hanging = watchdog.hanging(ours);
        for (Map.Entry<TopicPartition, ProducerState> entry : hanging.entrySet()) {
          if (entry.getValue().equals(suspects.get(entry.getKey()))) {
            watchdog.abort(entry.getKey(), entry.getValue());
            onAborted.run();
          }
        }
        suspects.clear();
        suspects.putAll(hanging);
      } catch (Exception e) {
        LOG.warn("Could not check for hanging transactions: {}", e.toString());
      }
    }, CONFIRM_AFTER.toMillis(), CONFIRM_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    return watchdog;
  }

  /** Open transactions on the partitions of {@code ours} whose producer is in none by its coordinator's account. */
  Map<TopicPartition, ProducerState> hanging(Predicate<String> ours) throws Exception {
    Set<Long> inATransaction = new HashSet<>();
    for (TransactionListing listing : admin.listTransactions().all().get(10, TimeUnit.SECONDS)) {
      if (IN_A_TRANSACTION.contains(listing.state())) {
        inATransaction.add(listing.producerId());
      }
    }
    List<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(ours).toList();
    List<TopicPartition> partitions = new ArrayList<>();
    admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((name, description) ->
        description.partitions().forEach(partition -> partitions.add(new TopicPartition(name, partition.partition()))));
    Map<TopicPartition, ProducerState> hanging = new HashMap<>();
    admin.describeProducers(partitions).all().get(10, TimeUnit.SECONDS).forEach((partition, state) -> {
      for (ProducerState producer : state.activeProducers()) {
        if (producer.currentTransactionStartOffset().isPresent() && !inATransaction.contains(producer.producerId())) {
          hanging.put(partition, producer);
        }
      }
    });
    return hanging;
  }

  private void abort(TopicPartition partition, ProducerState producer) throws Exception {
    admin.abortTransaction(new AbortTransactionSpec(partition, producer.producerId(), (short) producer.producerEpoch(),
        producer.coordinatorEpoch().orElse(0))).all().get(10, TimeUnit.SECONDS);
    LOG.warn("Aborted a hanging transaction on {} (producer {}, epoch {}, open since offset {}): its coordinator had "
        + "completed it, but the partition never heard; nothing could be read past it", partition, producer.producerId(),
        producer.producerEpoch(), producer.currentTransactionStartOffset().getAsLong());
  }

  @Override
  public void close() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
