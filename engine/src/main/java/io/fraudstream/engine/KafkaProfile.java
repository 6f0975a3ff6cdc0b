package io.fraudstream.engine;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How the engine's Kafka clients trade latency against throughput. Every hop of a payment waits
 * for the producer's linger, the consumer's fetch wait and, under exactly-once, a commit, so the
 * settings that batch best cost milliseconds on every hop. Figures for both are in
 * {@code benchmarks/RESULTS.md}.
 */
public enum KafkaProfile {

  /**
   * The default, for a payment path: small batches sent at once, fetches answered at once,
   * frequent commits.
   */
  LATENCY(Duration.ofMillis(50), 1, 16 * 1024, 500, 1, 5),
  /** For replays and backfills: the batching measured in DESIGN.md to be worth 2.6x under exactly-once. */
  THROUGHPUT(Duration.ofMillis(200), 20, 512 * 1024, 5_000, 64 * 1024, 100);

  private final Duration commitInterval;
  private final int lingerMs;
  private final int batchBytes;
  private final int maxPollRecords;
  private final int fetchMinBytes;
  private final int fetchMaxWaitMs;

  KafkaProfile(Duration commitInterval, int lingerMs, int batchBytes, int maxPollRecords, int fetchMinBytes, int fetchMaxWaitMs) {
    this.commitInterval = commitInterval;
    this.lingerMs = lingerMs;
    this.batchBytes = batchBytes;
    this.maxPollRecords = maxPollRecords;
    this.fetchMinBytes = fetchMinBytes;
    this.fetchMaxWaitMs = fetchMaxWaitMs;
  }

  /** The commit interval of this profile, unless one is set explicitly. */
  public Duration commitInterval() {
    return commitInterval;
  }

  /** Sets this profile's producer and consumer settings on Kafka Streams properties. */
  void apply(Properties streamsProperties) {
    streamsProperties.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), Integer.toString(lingerMs));
    streamsProperties.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(batchBytes));
    streamsProperties.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), Integer.toString(maxPollRecords));
    streamsProperties.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), Integer.toString(fetchMinBytes));
    streamsProperties.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), Integer.toString(fetchMaxWaitMs));
  }

  /** Reads {@code latency} or {@code throughput}, or says what is accepted. */
  public static KafkaProfile parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("profile must be latency or throughput, got '" + name + "'");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
