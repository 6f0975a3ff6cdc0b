package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.decision.Alert;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.streams.DeadLetterHeaders;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The demo's reader of every output topic, with {@code read_committed}, as a downstream service
 * would. It counts what it reads on its own thread; {@link #summary()} hands the counts over as
 * one immutable snapshot.
 */
final class DemoOutputReader implements AutoCloseable {
  private final Topics topics;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final PrintStream out;
  private final int alertsToShow;
  private final Map<String, Long> sentNanos = new ConcurrentHashMap<>();
  private final Map<String, Boolean> labels = new ConcurrentHashMap<>();
  /** The payments sent through the decide endpoint, until their decision is read. */
  private final Set<String> throughEndpoint = ConcurrentHashMap.newKeySet();
  /** Each decision's send time, send-to-readable latency in microseconds, and 1 if it was sent through the decide endpoint. */
  private final ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
  private final Map<Tier, Long> tiers = new ConcurrentHashMap<>();
  private final AtomicLong decisions = new AtomicLong();
  private final AtomicLong alerts = new AtomicLong();
  private final AtomicLong blocks = new AtomicLong();
  private final AtomicLong shownBlocks = new AtomicLong();
  private final AtomicLong shownChallenges = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicLong flagged = new AtomicLong();
  private final AtomicLong flaggedFraud = new AtomicLong();
  private final AtomicLong blockedFraud = new AtomicLong();
  private final AtomicLong refusedByBlock = new AtomicLong();
  private final AtomicLong refusedFraud = new AtomicLong();
  private final AtomicLong lastDecisionNanos = new AtomicLong();
  private final DoubleAdder extractionMicros = new DoubleAdder();
  private final DoubleAdder scoringMicros = new DoubleAdder();
  private final List<String> deadLetterReasons = new CopyOnWriteArrayList<>();
  private final DemoChallenges answers;
  private final AtomicLong challengedLegit = new AtomicLong();
  private final AtomicLong fromVerifiedDevice = new AtomicLong();
  private final AtomicLong fromVerifiedDeviceAllowed = new AtomicLong();
  private final AtomicLong fraudAfterFailedChallenge = new AtomicLong();
  private final AtomicLong fraudAfterFailedChallengeStopped = new AtomicLong();
  private final AtomicLong failedChallengeAlerts = new AtomicLong();
  private volatile RuntimeException failure;
  private final CountDownLatch ready = new CountDownLatch(1);

  /** @param answers who answers the challenges read, or null for no answers at all */
  DemoOutputReader(EngineConfig config, int alertsToShow, PrintStream out, DemoChallenges answers) {
    this.topics = config.topics();
    this.answers = answers;
    this.out = out;
    this.alertsToShow = alertsToShow;
    Properties props = config.clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "fraudstream-demo-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topics.decisions(), topics.alerts(), topics.blocks(), topics.deadLetters()));
    thread = new Thread(this::run, "fraudstream-demo-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /** Notes a payment about to be sent: when, for its latency, and whether it is a fraud, for precision and recall. */
  void sent(Transaction tx, long nanos, boolean viaEndpoint) {
    if (viaEndpoint) {
      throughEndpoint.add(tx.id());
    }
    sentNanos.put(tx.id(), nanos);
    labels.put(tx.id(), Boolean.TRUE.equals(tx.label()));
  }

  private void run() {
    try {
      while (running.get() && consumer.assignment().isEmpty()) {
        handleAll(consumer.poll(Duration.ofMillis(100)));
      }
      // Resolves every start offset now, so the first decisions are not timed with the reader's own start-up.
      consumer.assignment().forEach(consumer::position);
      ready.countDown();
      while (running.get()) {
        handleAll(consumer.poll(Duration.ofMillis(100)));
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void handleAll(Iterable<ConsumerRecord<String, byte[]>> records) {
    for (ConsumerRecord<String, byte[]> record : records) {
      handle(record);
    }
  }

  /** Waits until the reader has its partitions and knows where to start reading them. */
  void awaitReady(Duration timeout) throws InterruptedException {
    if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the output reader got no partitions within " + timeout
          + (failure == null ? "" : ": " + failure.getMessage()));
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    long now = System.nanoTime();
    if (record.topic().equals(topics.decisions())) {
      Decision decision = Topics.DECISION_SERDE.deserializer().deserialize(record.topic(), record.value());
      Long sent = sentNanos.remove(decision.paymentId());
      if (sent != null) {
        latencies.add(new long[] {sent, (now - sent) / 1000, throughEndpoint.remove(decision.paymentId()) ? 1 : 0});
      }
      tiers.merge(decision.tier(), 1L, Long::sum);
      boolean fraud = Boolean.TRUE.equals(labels.get(decision.paymentId()));
      if (decision.tier() != Tier.ALLOW) {
        flagged.incrementAndGet();
        flaggedFraud.addAndGet(fraud ? 1 : 0);
      }
      if (decision.tier() == Tier.CHALLENGE) {
        challengedLegit.addAndGet(fraud ? 0 : 1);
        if (answers != null) {
          answers.answer(decision, fraud);
        }
      }
      if (feature(decision, Feature.DEVICE_VERIFIED) >= 1) {
        fromVerifiedDevice.incrementAndGet();
        fromVerifiedDeviceAllowed.addAndGet(decision.tier() == Tier.ALLOW ? 1 : 0);
      }
      if (fraud && feature(decision, Feature.FAILED_CHALLENGES_24H) >= 1) {
        fraudAfterFailedChallenge.incrementAndGet();
        fraudAfterFailedChallengeStopped.addAndGet(decision.tier() == Tier.BLOCK ? 1 : 0);
      }
      if (decision.tier() == Tier.BLOCK) {
        blockedFraud.addAndGet(fraud ? 1 : 0);
        if (decision.activeBlock() != null) {
          refusedByBlock.incrementAndGet();
          refusedFraud.addAndGet(fraud ? 1 : 0);
        }
      }
      lastDecisionNanos.set(now);
      extractionMicros.add(decision.extractionMicros());
      scoringMicros.add(decision.scoringMicros());
      decisions.incrementAndGet();
    } else if (record.topic().equals(topics.alerts())) {
      alerts.incrementAndGet();
      Alert alert = Topics.ALERT_SERDE.deserializer().deserialize(record.topic(), record.value());
      if (alert.reasons().stream().anyMatch(reason -> reason.startsWith("verification failed"))) {
        failedChallengeAlerts.incrementAndGet();
      }
      AtomicLong shown = alert.tier() == Tier.BLOCK ? shownBlocks : shownChallenges;
      long quota = alert.tier() == Tier.BLOCK ? (alertsToShow + 1) / 2 : alertsToShow / 2;
      if (shown.get() < quota) {
        shown.incrementAndGet();
        out.printf(Locale.ROOT, "%n   ALERT %-9s user %s, payment %s: %s%n", alert.tier(), alert.user(), alert.paymentId(), alert.message());
      }
    } else if (record.topic().equals(topics.blocks())) {
      blocks.incrementAndGet();
    } else {
      deadLetters.incrementAndGet();
      Header reason = record.headers().lastHeader(DeadLetterHeaders.REASON);
      if (reason != null) {
        deadLetterReasons.add(new String(reason.value(), StandardCharsets.UTF_8));
      }
    }
  }

  void awaitDecisions(long expected, long expectedDeadLetters, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (decisions.get() < expected || deadLetters.get() < expectedDeadLetters) {
      if (failure != null) {
        throw new IllegalStateException("reading the output topics failed: " + failure.getMessage(), failure);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + decisions.get() + " of " + expected + " decisions arrived within " + timeout);
      }
      Thread.sleep(50);
    }
    // Alerts and blocks of the last decisions commit in the same transaction; give the reader a beat.
    Thread.sleep(500);
  }

  /** What the reader has counted so far, as one snapshot. */
  Summary summary() {
    return new Summary(decisions.get(), Map.copyOf(tiers), alerts.get(), blocks.get(), deadLetters.get(),
        List.copyOf(deadLetterReasons), flagged.get(), flaggedFraud.get(), blockedFraud.get(), refusedByBlock.get(),
        refusedFraud.get(), lastDecisionNanos.get(), extractionMicros.sum(), scoringMicros.sum(), List.copyOf(latencies),
        new StepUp(challengedLegit.get(), fromVerifiedDevice.get(), fromVerifiedDeviceAllowed.get(), fraudAfterFailedChallenge.get(),
            fraudAfterFailedChallengeStopped.get(), failedChallengeAlerts.get()));
  }

  private static double feature(Decision decision, Feature feature) {
    Double value = decision.features() == null ? null : decision.features().get(feature.featureName());
    return value == null ? 0 : value;
  }

  /**
   * The step-up loop as read: CHALLENGE decisions whose payment was legitimate (the friction),
   * payments from a device verified by a passed challenge (and how many were allowed), frauds
   * decided after a failed challenge of their user (and how many were blocked), and the alerts
   * of failed challenges.
   */
  record StepUp(long challengedLegit, long fromVerifiedDevice, long fromVerifiedDeviceAllowed, long fraudAfterFailedChallenge,
                long fraudAfterFailedChallengeStopped, long failedChallengeAlerts) {}

  /**
   * The counts of the decisions read: by tier, and against the labels the feed knew (flagged and
   * blocked frauds, payments refused by a block in force and how many of those were fraud).
   */
  record Summary(long decisions, Map<Tier, Long> tiers, long alerts, long blocks, long deadLetters, List<String> deadLetterReasons,
                 long flagged, long flaggedFraud, long blockedFraud, long refusedByBlock, long refusedFraud, long lastDecisionNanos,
                 double extractionMicros, double scoringMicros, List<long[]> sentAndLatencyMicros, StepUp stepUp) {

    long tier(Tier tier) {
      return tiers.getOrDefault(tier, 0L);
    }

    /** The sorted latencies of the payments sent from {@code sentFromNanos} on. */
    long[] latenciesMicros(long sentFromNanos) {
      long[] values = sentAndLatencyMicros.stream().filter(sentAndMicros -> sentAndMicros[0] >= sentFromNanos)
          .mapToLong(sentAndMicros -> sentAndMicros[1]).toArray();
      Arrays.sort(values);
      return values;
    }

    /** The sorted latencies, to the committed decision, of the payments sent through the decide endpoint from {@code sentFromNanos} on. */
    long[] latenciesMicrosThroughEndpoint(long sentFromNanos) {
      long[] values = sentAndLatencyMicros.stream().filter(sentAndMicros -> sentAndMicros[0] >= sentFromNanos && sentAndMicros[2] == 1)
          .mapToLong(sentAndMicros -> sentAndMicros[1]).toArray();
      Arrays.sort(values);
      return values;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(10_000);
  }
}
