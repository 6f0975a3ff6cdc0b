package io.fraudstream.engine.cli;

import io.fraudstream.engine.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Asks the engine to forget users: one record per user on the erasures topic. */
@Command(name = "erase", mixinStandardHelpOptions = true,
    description = "Erase users' behavioural state: their next payment is scored as if they were new.")
final class EraseCommand implements Callable<Integer> {

  @Option(names = "--user", required = true, description = "user id to erase; repeatable")
  List<String> users;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--erasures-topic", defaultValue = "${env:FRAUDSTREAM_ERASURES_TOPIC:-erasures}",
      description = "topic of erasure requests (default ${DEFAULT-VALUE})")
  String erasuresTopic;

  @Override
  public Integer call() throws Exception {
    Properties props = cluster.producerProperties("erase");
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
