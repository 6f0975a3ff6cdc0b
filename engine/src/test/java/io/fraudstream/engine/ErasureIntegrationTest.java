package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.cli.FraudstreamCli;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.features.EntityKind;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fraudstream erase} against a running engine on a broker: the user's state leaves the
 * store, a tombstone follows on its changelog, the user's merchants (one in every entity
 * partition) are published again without the user's hash, the broker's compaction then removes
 * the old values, and the user's next payment is a first payment again. The compaction is measured on a
 * changelog whose lag is cut from the engine's day to seconds.
 */
@Tag("broker")
class ErasureIntegrationTest {

  private static final String USER = "erin";
  private static final Duration COMPACTION_LAG = Duration.ofSeconds(2);

  @Test
  void shouldForgetAUserOnTheBrokerAndLetCompactionRemoveTheirOldState(@TempDir Path brokerDir, @TempDir Path stateDir)
      throws Exception {
    int[] ports = EmbeddedKafkaBroker.freePorts(2);
    // The log cleaner looks every second instead of every 15 s.
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir, false, ports[0], ports[1],
        Map.of("log.cleaner.backoff.ms", "1000"));
         Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      EngineConfig config = EngineConfig.defaults(broker.bootstrapServers(), stateDir, new String(TestModels.SECRET, StandardCharsets.UTF_8));
      String changelog = config.applicationId() + "-" + FraudTopology.USER_STATE_STORE + "-changelog";
      Instant start = Instant.now();
      try (FraudEngine engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60));
           DecisionReader reader = new DecisionReader(config.bootstrapServers(), config.topics().decisions());
           KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(), new StringSerializer(),
               new ByteArraySerializer())) {
        // The user pays at merchants of every entity partition: whichever holds the user's hash must forget it.
        List<String> merchants = new ArrayList<>();
        Set<Integer> partitions = new HashSet<>();
        for (int k = 0; partitions.size() < config.partitions(); k++) {
          String merchant = "m-" + USER + "-" + k;
          byte[] entityKey = EntityKind.MERCHANT.riskKey(merchant).getBytes(StandardCharsets.UTF_8);
          if (partitions.add(Utils.toPositive(Utils.murmur2(entityKey)) % config.partitions())) {
            merchants.add(merchant);
          }
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < merchants.size(); i++) {
          ids.add(pay(producer, config, USER + "-" + i, USER, merchants.get(i), start.plusSeconds(i)));
        }
        reader.awaitAll(ids, Duration.ofSeconds(60), Duration.ZERO);
        ReadOnlyKeyValueStore<String, Object> users = engine.streams().store(
            StoreQueryParameters.fromNameAndType(FraudTopology.USER_STATE_STORE, QueryableStoreTypes.keyValueStore()));
        assertNotNull(users.get(USER), "the user's state before the erasure");
        long userHash = TestModels.PSEUDONYMISER.newHasher().hash(USER);
        long published = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!merchants.stream().allMatch(merchant -> publishedMerchant(config, merchant).remembers(userHash))) {
          assertTrue(System.nanoTime() < published, "the user's merchants never all published with the user among their users");
          TimeUnit.MILLISECONDS.sleep(100);
        }
        assertTrue(TopicContents.valuesOf(config.clientProperties(), changelog, USER).stream().anyMatch(value -> value != null), "the user's state on the changelog");
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, changelog), List.of(
            set(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, COMPACTION_LAG.toMillis()), set(TopicConfig.SEGMENT_MS_CONFIG, 1_000),
            set(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, 0.01)))).all().get(30, TimeUnit.SECONDS);

        assertEquals(0, FraudstreamCli.execute("erase", "--user", USER, "--bootstrap-servers", broker.bootstrapServers()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (users.get(USER) != null) {
          assertTrue(System.nanoTime() < deadline, "the user's state was still in the store 60 s after the request");
          TimeUnit.MILLISECONDS.sleep(100);
        }
        // The store's delete commits with its tombstone on the changelog.
        List<byte[]> history = TopicContents.valuesOf(config.clientProperties(), changelog, USER);
        while (history.get(history.size() - 1) != null) {
          assertTrue(System.nanoTime() < deadline, "no tombstone for the user on " + changelog + " 60 s after the request");
          TimeUnit.MILLISECONDS.sleep(100);
          history = TopicContents.valuesOf(config.clientProperties(), changelog, USER);
        }
        long erased = System.nanoTime();
        // The entity sub-topology publishes the user's merchants again, without the user's hash.
        while (merchants.stream().anyMatch(merchant -> publishedMerchant(config, merchant).remembers(userHash))) {
          assertTrue(System.nanoTime() < deadline, "the user's hash still in a merchant's published state 60 s after the request");
          TimeUnit.MILLISECONDS.sleep(100);
        }

        // Compaction keeps the tombstone and drops every earlier value; other users' payments keep
        // appending to the changelog, so that its segments roll.
        int other = 0;
        while (TopicContents.valuesOf(config.clientProperties(), changelog, USER).stream().anyMatch(value -> value != null)) {
          assertTrue(System.nanoTime() - erased < TimeUnit.SECONDS.toNanos(120), "the user's old state still on the changelog after 120 s");
          for (int i = 0; i < 20; i++, other++) {
            pay(producer, config, "other-" + other, "user-" + other % 40, Instant.now());
          }
          TimeUnit.MILLISECONDS.sleep(500);
        }
        double compactedAfter = (System.nanoTime() - erased) / 1e9;

        String next = pay(producer, config, USER + "-again", USER, Instant.now());
        reader.awaitAll(List.of(next), Duration.ofSeconds(60), Duration.ZERO);
        assertEquals(1.0, reader.seen().get(next).first().features().get(Feature.FIRST_PAYMENT.featureName()),
            "the user's next payment is a first payment");
        System.out.printf("erasure: state gone from the store, tombstone on %s; old values compacted away %.1f s after "
            + "(max.compaction.lag.ms %d ms here, a day in service)%n", changelog, compactedAfter, COMPACTION_LAG.toMillis());
      }
    }
  }

  private static String pay(KafkaProducer<String, byte[]> producer, EngineConfig config, String id, String user, Instant at)
      throws Exception {
    return pay(producer, config, id, user, "m-" + user, at);
  }

  private static String pay(KafkaProducer<String, byte[]> producer, EngineConfig config, String id, String user, String merchant,
      Instant at) throws Exception {
    Transaction tx = Transaction.of(id, at, user, 25).toBuilder().merchant(merchant).device("phone-" + user).build();
    producer.send(new ProducerRecord<>(config.topics().transactions(), user, TransactionJson.write(tx))).get(30, TimeUnit.SECONDS);
    return id;
  }

  /** The merchant's state as last published on entity-risk, for every instance; empty if never published. */
  private static EntityState publishedMerchant(EngineConfig config, String merchant) {
    List<byte[]> published = TopicContents.valuesOf(config.clientProperties(), config.topics().entityRisk(),
        EntityKind.MERCHANT.riskKey(merchant));
    byte[] last = published.isEmpty() ? null : published.get(published.size() - 1);
    return last == null ? EntityState.empty() : EntityState.fromBytes(last);
  }

  private static AlterConfigOp set(String name, Object value) {
    return new AlterConfigOp(new ConfigEntry(name, String.valueOf(value)), AlterConfigOp.OpType.SET);
  }
}
