package io.fraudstream.features.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retention sweeps a store in slices, so that no punctuation reads the whole store while the
 * task's payments wait. Each record here stores its key with its own time; a key expires a day
 * after its time.
 */
class StoreRetentionTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration DAY = Duration.ofDays(1);
  private TopologyTestDriver driver;
  private TestInputTopic<String, Long> input;
  private KeyValueStore<String, Long> store;

  /** Stores each record's time under its key, and sweeps out the keys whose time is a day behind stream time. */
  private static final class Remember implements Processor<String, Long, Void, Void> {
    private KeyValueStore<String, Long> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore("times");
      StoreRetention.schedule(context, store, (time, streamTime) -> time + DAY.toMillis() <= streamTime);
    }

    @Override
    public void process(Record<String, Long> record) {
      store.put(record.key(), record.value());
    }
  }

  @BeforeEach
  void start() {
    Topology topology = new Topology();
    topology.addSource("in", new StringDeserializer(), new LongDeserializer(), "in");
    topology.addProcessor("remember", Remember::new, "in");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("times"), Serdes.String(), Serdes.Long())
        .withLoggingDisabled(), "remember");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "store-retention-test");
    driver = new TopologyTestDriver(topology, props, T0);
    input = driver.createInputTopic("in", new StringSerializer(), new LongSerializer());
    store = driver.getKeyValueStore("times");
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void shouldSweepExpiredKeysInSlicesAndKeepTheRest() {
    int old = StoreRetention.SLICE_KEYS * 2 + 10;
    for (int i = 0; i < old; i++) {
      input.pipeInput(String.format("old-%05d", i), T0.toEpochMilli(), T0);
    }
    Instant later = T0.plus(DAY).plusSeconds(1);
    input.pipeInput("recent", later.toEpochMilli(), later);

    driver.advanceWallClockTime(StoreRetention.SLICE_INTERVAL);
    assertEquals(old + 1 - StoreRetention.SLICE_KEYS, count(), "one slice reads " + StoreRetention.SLICE_KEYS + " keys, no more");
    driver.advanceWallClockTime(StoreRetention.SLICE_INTERVAL);
    assertEquals(old + 1 - 2 * StoreRetention.SLICE_KEYS, count());
    driver.advanceWallClockTime(StoreRetention.SLICE_INTERVAL);
    assertEquals(1, count(), "the third slice ends the pass");
    assertNotNull(store.get("recent"));
  }

  @Test
  void shouldStartTheNextPassOnlyAfterSixHoursOfStreamTimeAndAMinuteOfWallClock() {
    input.pipeInput("a", T0.toEpochMilli(), T0);
    driver.advanceWallClockTime(StoreRetention.SLICE_INTERVAL);
    assertNotNull(store.get("a"), "not expired when the first pass ran");

    // A day and a bit later in stream time, but within the minute: no new pass yet.
    Instant dayLater = T0.plus(DAY).plusSeconds(1);
    input.pipeInput("b", dayLater.toEpochMilli(), dayLater);
    driver.advanceWallClockTime(StoreRetention.SLICE_INTERVAL);
    assertNotNull(store.get("a"), "a pass starts at most once a minute of wall-clock time");

    driver.advanceWallClockTime(StoreRetention.CHECK_INTERVAL);
    assertNull(store.get("a"));
    assertNotNull(store.get("b"));

    // A minute more, but less than six hours of stream time since that pass began: no pass.
    Instant soon = dayLater.plus(Duration.ofHours(5));
    input.pipeInput("c", soon.toEpochMilli(), soon);
    store.put("expired-but-unswept", T0.toEpochMilli());
    driver.advanceWallClockTime(StoreRetention.CHECK_INTERVAL);
    assertNotNull(store.get("expired-but-unswept"), "six hours of stream time have not passed since the last pass began");

    Instant sixHoursOn = dayLater.plus(Duration.ofHours(6));
    input.pipeInput("d", sixHoursOn.toEpochMilli(), sixHoursOn);
    driver.advanceWallClockTime(StoreRetention.SLICE_INTERVAL);
    assertNull(store.get("expired-but-unswept"));
    assertNotNull(store.get("d"));
  }

  private int count() {
    int n = 0;
    try (KeyValueIterator<String, Long> all = store.all()) {
      while (all.hasNext()) {
        all.next();
        n++;
      }
    }
    return n;
  }
}
