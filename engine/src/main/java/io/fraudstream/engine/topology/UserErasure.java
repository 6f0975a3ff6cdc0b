package io.fraudstream.engine.topology;

import io.fraudstream.features.EntityEvent;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.features.streams.EntityRiskProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Forgets a user on request, in the user's task and its transaction: their state and their open
 * challenges leave the task's stores (tombstones follow on the changelogs), and an
 * {@link EntityEvent#forgetUser} event goes to every partition of the entity events, so that the
 * entity sub-topology removes the user's hash from every entity that remembers it. Requests
 * without a usable user are routed to the dead-letter topic before they get here.
 */
final class UserErasure implements Processor<String, byte[], String, byte[]> {

  /** Every partition of the topic: whichever entity task holds the user's hash must hear of it. */
  static final StreamPartitioner<String, byte[]> EVERY_PARTITION = (topic, key, value, partitions) ->
      Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toUnmodifiableSet()));

  private static final StringSerializer KEYS = new StringSerializer();
  private final String userStateStore;
  private final String openChallengesStore;
  private final Pseudonymiser pseudonymiser;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, ?> users;
  private KeyValueStore<String, byte[]> openChallenges;
  private IdentifierHasher hasher;

  UserErasure(String userStateStore, String openChallengesStore, Pseudonymiser pseudonymiser) {
    this.userStateStore = userStateStore;
    this.openChallengesStore = openChallengesStore;
    this.pseudonymiser = pseudonymiser;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    users = context.getStateStore(userStateStore);
    openChallenges = context.getStateStore(openChallengesStore);
    hasher = pseudonymiser.newHasher();
  }

  @Override
  public void process(Record<String, byte[]> request) {
    String user = request.key();
    users.delete(user);
    List<String> challenges = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> open = openChallenges.prefixScan(OpenChallenges.userPrefix(user), KEYS)) {
      open.forEachRemaining(entry -> challenges.add(entry.key));
    }
    challenges.forEach(openChallenges::delete);
    // Time 0, so that the event never moves an entity task's stream time (and with it the
    // entities' retention); the hand-off topics keep records until read, whatever their time.
    context.forward(new Record<>(EntityRiskProcessor.FORGET_USER_KEY, EntityEvent.forgetUser(hasher.hash(user)).toBytes(), 0L));
  }
}
