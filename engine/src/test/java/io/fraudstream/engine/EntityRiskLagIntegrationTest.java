package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.cli.Pacing;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consistency model in real time, on the broker: payments of many users at one merchant,
 * timed as they are sent, and how far behind the merchant's served count runs. Staleness is
 * allowed (bounded staleness) and printed; it must not grow: once the payments stop, the served count
 * catches up with every one of them.
 */
@Tag("broker")
@ExtendWith(SharedBroker.class)
class EntityRiskLagIntegrationTest {

  private static final int PAYMENTS = 600;
  private static final int PER_SECOND = 100;

  @Test
  void shouldServeAMerchantsRiskBehindItsPaymentsAndCatchUpWhenTheyStop(@TempDir Path stateDir) throws Exception {
    Topics topics = SharedBroker.topics("lag-");
    EngineConfig defaults = EngineConfig.defaults(SharedBroker.bootstrapServers(), stateDir, new String(TestModels.SECRET, StandardCharsets.UTF_8));
    EngineConfig config = new EngineConfig(defaults.bootstrapServers(), "lag-engine", topics, stateDir, defaults.hashSecret(),
        defaults.blockDuration(), defaults.partitions(), 1, defaults.processingGuarantee(), defaults.profile(), defaults.commitInterval(),
        Duration.ZERO, defaults.acceptedTimes(), Map.of(), defaults.serving(), defaults.challenges());
    try (FraudEngine engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60));
         DecisionReader reader = new DecisionReader(config.bootstrapServers(), topics.decisions())) {
      Properties props = config.clientProperties();
      props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      List<String> ids = new ArrayList<>();
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
        long start = System.nanoTime();
        for (int i = 0; i < PAYMENTS; i++) {
          Pacing.awaitTurn(start, i, PER_SECOND);
          Transaction tx = Transaction.of("lag-" + i, Instant.now(), "user-" + (i % 50), 10).toBuilder().merchant("one-shop").build();
          ids.add(tx.id());
          producer.send(new ProducerRecord<>(topics.transactions(), tx.user(), TransactionJson.write(tx)));
        }
      }
      reader.awaitAll(ids, Duration.ofSeconds(60), Duration.ZERO);
      Map<String, DecisionReader.Seen> seen = reader.seen();
      int worstBehind = 0;
      int behindAtEnd = 0;
      // The first two seconds are the engine's first fetches and commits.
      for (int i = 2 * PER_SECOND; i < PAYMENTS; i++) {
        double served = seen.get("lag-" + i).first().features().get(Feature.MERCHANT_TX_COUNT_1D.featureName());
        int behind = (int) (i + 1 - served);
        assertTrue(behind >= 0, "payment " + i + " served " + served + " of the merchant's payments: more than were made");
        worstBehind = Math.max(worstBehind, behind);
        behindAtEnd = behind;
      }
      System.out.printf("entity risk in real time: %d payments/s at one merchant; served count behind by at most %d payments "
          + "(%d ms), %d at the end%n", PER_SECOND, worstBehind, worstBehind * 1000 / PER_SECOND, behindAtEnd);
      // How far behind is a figure of the machine (it is printed); that the risk catches up once
      // the payments stop is the behaviour: a probe at the merchant then counts every one of them.
      int probes = 0;
      double probeServed = 0;
      boolean caughtUp = false;
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
        while (!caughtUp && probes < 50) {
          Transaction probe = Transaction.of("probe-" + probes, Instant.now(), "prober", 10).toBuilder().merchant("one-shop").build();
          producer.send(new ProducerRecord<>(topics.transactions(), probe.user(), TransactionJson.write(probe)));
          reader.awaitAll(List.of(probe.id()), Duration.ofSeconds(60), Duration.ZERO);
          probeServed = reader.seen().get(probe.id()).first().features().get(Feature.MERCHANT_TX_COUNT_1D.featureName());
          probes++;
          // Every payment and every probe so far, this one included.
          caughtUp = probeServed == PAYMENTS + probes;
          if (!caughtUp) {
            Thread.sleep(100);
          }
        }
      }
      assertTrue(caughtUp, "after " + probes + " probes the merchant's risk counted " + probeServed + " of " + (PAYMENTS + probes) + " payments");
      assertEquals(1.0, seen.get("lag-0").first().features().get(Feature.MERCHANT_TX_COUNT_1D.featureName()), "the first payment counts itself");
      assertTrue(engine.registry().counter("fraudstream.entity.stale.decisions", "kind", "merchant").count() < PAYMENTS / 2.0,
          "most decisions were on risk within the staleness bound");
    }
  }
}
