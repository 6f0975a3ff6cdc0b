package io.fraudstream.features;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The entity sub-topology, beside the payment path: keeps each entity's {@link EntityState} from
 * its {@link EntityEvent}s (keyed by {@link EntityKind#riskKey}) and publishes the state after
 * every change, so that every payment task can read it from its local copy of the entity-risk
 * topic. It also publishes its progress, the newest event time it has applied, under
 * {@link #progressKey}: a payment task compares it with a payment's time to count decisions made
 * on entity values older than the consistency model allows. An entity idle past
 * {@link EntityState#RETENTION} is forgotten here and, through a tombstone, everywhere.
 */
public final class EntityRiskProcessor implements Processor<String, byte[], String, byte[]> {

  /** How often the progress is published, in wall-clock time. */
  static final Duration PROGRESS_INTERVAL = Duration.ofMillis(100);
  private static final String PROGRESS_PREFIX = "#progress|";

  private final String storeName;
  private final Consumer<String> onSkipped;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, EntityState> store;
  private long publishedProgress = Long.MIN_VALUE;

  /** @param onSkipped hears the reason of every record that is not an entity event (none are written by fraudstream) */
  public EntityRiskProcessor(String storeName, Consumer<String> onSkipped) {
    this.storeName = storeName;
    this.onSkipped = onSkipped;
  }

  /** The key under which the task of an entity-event partition publishes its progress. */
  public static String progressKey(int partition) {
    return PROGRESS_PREFIX + partition;
  }

  /** Whether a key on the entity-risk topic is a progress rather than an entity. */
  public static boolean isProgressKey(String key) {
    return key.startsWith(PROGRESS_PREFIX);
  }

  /** Reads a published progress; {@code Long.MIN_VALUE} for none or one that is not a progress. */
  public static long readProgress(byte[] value) {
    return value == null || value.length != Long.BYTES ? Long.MIN_VALUE : ByteBuffer.wrap(value).getLong();
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    StoreRetention.schedule(context, store, EntityState::expiredAt,
        key -> context.forward(new Record<>(key, null, context.currentStreamTimeMs())));
    context.schedule(PROGRESS_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> publishProgress());
  }

  @Override
  public void process(Record<String, byte[]> record) {
    EntityEvent event;
    try {
      if (EntityKind.ofRiskKey(record.key()) == null) {
        throw new IllegalArgumentException("not an entity key");
      }
      event = EntityEvent.fromBytes(record.value());
    } catch (IllegalArgumentException e) {
      onSkipped.accept("unreadable-entity-event");
      return;
    }
    EntityState state = store.get(record.key());
    if (state == null) {
      state = EntityState.empty();
    }
    event.applyTo(state);
    store.put(record.key(), state);
    context.forward(new Record<>(record.key(), state.toBytes(), record.timestamp()));
  }

  private void publishProgress() {
    long streamTime = context.currentStreamTimeMs();
    if (streamTime != publishedProgress && streamTime >= 0) {
      publishedProgress = streamTime;
      context.forward(new Record<>(progressKey(context.taskId().partition()),
          ByteBuffer.allocate(Long.BYTES).putLong(streamTime).array(), streamTime));
    }
  }
}
