package io.fraudstream.features.streams;

import io.fraudstream.features.EntityEvent;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The entity sub-topology, beside the payment path: keeps each entity's {@link EntityState} from
 * its {@link EntityEvent}s (keyed by {@link EntityKind#riskKey}) and publishes the states that
 * changed every {@link #PUBLISH_INTERVAL}, so that every payment task can read them from its
 * local copy of the entity-risk topic. A busy merchant's hundred payments in that time cost one
 * published state, not a hundred. Which entities await publishing is kept in a store of its own,
 * written in the same transaction as their states, so a crash between a commit and the next
 * publishing loses none.
 *
 * <p>With the states it publishes its progress, the newest event time it has applied, under
 * {@link #progressKey}: a payment task compares it with a payment's time to count decisions made
 * on entity values older than the consistency model allows. An entity idle past
 * {@link EntityState#RETENTION} is forgotten here and, through a tombstone, everywhere. An erased
 * user's hash ({@link EntityEvent#forgetUser}, under {@link #FORGET_USER_KEY}) leaves every entity
 * at the next publishing.
 */
public final class EntityRiskProcessor implements Processor<String, byte[], String, byte[]> {

  /** How often changed states and the progress are published, in wall-clock time. */
  public static final Duration PUBLISH_INTERVAL = Duration.ofMillis(50);
  private static final byte[] UNPUBLISHED = new byte[0];
  private static final String PROGRESS_PREFIX = "#progress|";
  /**
   * The key of {@link EntityEvent#forgetUser} events: sent to every partition of the entity events,
   * as no one knows which entities hold the user's hash.
   */
  public static final String FORGET_USER_KEY = "#forget-user";
  /** Where an erasure waits for the next publishing, in the store of unpublished keys; ordered before every entity key. */
  private static final String FORGET_PENDING_PREFIX = "#forget|";
  private static final StringSerializer KEYS = new StringSerializer();

  private final String storeName;
  private final String unpublishedStoreName;
  private final Consumer<String> onSkipped;
  private final Consumer<IllegalArgumentException> onUnreadable;
  private ProcessorContext<String, byte[]> context;
  // Bytes, not states: publishing then forwards what is stored without reading and writing it again.
  private KeyValueStore<String, byte[]> store;
  private KeyValueStore<String, byte[]> unpublished;
  private long publishedProgress = Long.MIN_VALUE;

  /**
   * @param unpublishedStoreName a store of the keys changed since the last publishing
   * @param onSkipped hears the reason of every record that is not an entity event (none are written by fraudstream)
   * @param onUnreadable hears of a stored state this version cannot read
   */
  public EntityRiskProcessor(String storeName, String unpublishedStoreName, Consumer<String> onSkipped,
      Consumer<IllegalArgumentException> onUnreadable) {
    this.storeName = storeName;
    this.unpublishedStoreName = unpublishedStoreName;
    this.onSkipped = onSkipped;
    this.onUnreadable = onUnreadable;
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
    this.unpublished = context.getStateStore(unpublishedStoreName);
    StoreRetention.schedule(context, store, (bytes, streamTime) -> {
      EntityState state = readable(bytes);
      return state == null || state.expiredAt(streamTime);
    }, key -> {
      unpublished.delete(key);
      context.forward(new Record<>(key, null, context.currentStreamTimeMs()));
    });
    context.schedule(PUBLISH_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> publish());
  }

  @Override
  public void process(Record<String, byte[]> record) {
    EntityEvent event;
    try {
      event = EntityEvent.fromBytes(record.value());
      boolean forget = event.type() == EntityEvent.Type.FORGET_USER;
      if (forget ? !FORGET_USER_KEY.equals(record.key()) : EntityKind.ofRiskKey(record.key()) == null) {
        throw new IllegalArgumentException("not an entity key");
      }
    } catch (IllegalArgumentException e) {
      onSkipped.accept("unreadable-entity-event");
      return;
    }
    if (event.type() == EntityEvent.Type.FORGET_USER) {
      // Kept with the unpublished keys, in the same transaction, and applied at the next publishing:
      // a batch of erasures then costs one pass over the states, not one each.
      unpublished.put(FORGET_PENDING_PREFIX + Long.toHexString(event.userHash()), record.value());
      return;
    }
    EntityState state = readable(store.get(record.key()));
    if (state == null) {
      state = EntityState.empty();
    }
    event.applyTo(state);
    store.put(record.key(), state.toBytes());
    unpublished.put(record.key(), UNPUBLISHED);
  }

  /**
   * The erased users' hashes heard since the last publishing leave every entity of this partition
   * that remembers one, and the changed states are published like any other. Which entities a
   * user paid is kept nowhere, so every state is read, once for all the erasures waiting:
   * erasures are rare, and this runs off the payment path.
   */
  private void forgetErasedUsers() {
    List<String> pending = new ArrayList<>();
    Set<Long> erased = new HashSet<>();
    try (KeyValueIterator<String, byte[]> forget = unpublished.prefixScan(FORGET_PENDING_PREFIX, KEYS)) {
      forget.forEachRemaining(entry -> {
        pending.add(entry.key);
        try {
          erased.add(EntityEvent.fromBytes(entry.value).userHash());
        } catch (IllegalArgumentException e) {
          onSkipped.accept("unreadable-entity-event");   // only a hostile write to the changelog puts one there
        }
      });
    }
    if (pending.isEmpty()) {
      return;
    }
    // One look-up per remembered user, however many erasures wait.
    Map<String, byte[]> changed = new HashMap<>();
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> entry = all.next();
        EntityState state = readable(entry.value);
        if (state != null && state.forgetUsers(erased::contains)) {
          changed.put(entry.key, state.toBytes());
        }
      }
    }
    changed.forEach((key, bytes) -> {
      store.put(key, bytes);
      unpublished.put(key, UNPUBLISHED);
    });
    pending.forEach(unpublished::delete);
  }


  /** A stored state, or null for none or one this version cannot read (it starts afresh, counted). */
  private EntityState readable(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return EntityState.fromBytes(bytes);
    } catch (IllegalArgumentException e) {
      onUnreadable.accept(e);
      return null;
    }
  }

  /** Publishes every state changed since the last time, then the progress they make up. */
  private void publish() {
    forgetErasedUsers();
    List<String> published = new ArrayList<>();
    long streamTime = context.currentStreamTimeMs();
    try (KeyValueIterator<String, byte[]> changed = unpublished.all()) {
      while (changed.hasNext()) {
        String key = changed.next().key;
        context.forward(new Record<>(key, store.get(key), Math.max(0, streamTime)));
        published.add(key);
      }
    }
    published.forEach(unpublished::delete);
    if (streamTime != publishedProgress && streamTime >= 0) {
      publishedProgress = streamTime;
      context.forward(new Record<>(progressKey(context.taskId().partition()),
          ByteBuffer.allocate(Long.BYTES).putLong(streamTime).array(), streamTime));
    }
  }
}
