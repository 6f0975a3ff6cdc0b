package io.fraudstream.engine.cli;

import io.fraudstream.engine.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Asks the engine to forget users: one record per user on the erasures topic. */
@Command(name = "erase", mixinStandardHelpOptions = true,
    description = "Erase users' behavioural state: their next payment is scored as if they were new.")
final class EraseCommand implements Callable<Integer> {

  @Option(names = "--user", required = true, description = "user id to erase; repeatable")
  List<String> users;

  @Option(names = "--bootstrap-servers", defaultValue = "${env:FRAUDSTREAM_BOOTSTRAP_SERVERS}",
      description = "the engine's Kafka cluster (env FRAUDSTREAM_BOOTSTRAP_SERVERS)")
  String bootstrapServers;

  @Option(names = "--erasures-topic", defaultValue = "${env:FRAUDSTREAM_ERASURES_TOPIC:-erasures}",
      description = "topic of erasure requests (default ${DEFAULT-VALUE})")
  String erasuresTopic;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "any Kafka client setting; repeatable")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("erase needs the engine's cluster: pass --bootstrap-servers or set FRAUDSTREAM_BOOTSTRAP_SERVERS");
    }
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    byte[] request = ("{\"requestedAt\":\"" + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, Topics.KEY_SERDE.serializer(), new ByteArraySerializer())) {
      for (String user : users) {
        producer.send(new ProducerRecord<>(erasuresTopic, user, request)).get(30, TimeUnit.SECONDS);
        System.out.println("erasure of user '" + user + "' requested on " + erasuresTopic);
      }
    }
    return 0;
  }
}
