package io.fraudstream.engine.cli;

import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.IdentifierHasher;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Lifts blocks: a tombstone per entity on the compacted blocks topic, which every engine reads back. */
@Command(name = "unblock", mixinStandardHelpOptions = true,
    description = "Lift the block on users, devices or merchants before it expires.")
final class UnblockCommand implements Callable<Integer> {

  @Option(names = "--user", description = "user id to unblock; repeatable")
  List<String> users = new ArrayList<>();

  @Option(names = "--device", description = "device to unblock, raw (needs --hash-secret) or as its hmac: token from a decision; repeatable")
  List<String> devices = new ArrayList<>();

  @Option(names = "--merchant", description = "merchant id to unblock; repeatable")
  List<String> merchants = new ArrayList<>();

  @Option(names = "--hash-secret", defaultValue = "${env:FRAUDSTREAM_HASH_SECRET}",
      description = "the engine's hash secret, to find a raw device's token (env FRAUDSTREAM_HASH_SECRET)")
  String hashSecret;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--blocks-topic", defaultValue = "blocks", description = "the engine's blocks topic (default ${DEFAULT-VALUE})")
  String blocksTopic;

  @Override
  public Integer call() throws Exception {
    List<String> keys = new ArrayList<>();
    users.forEach(user -> keys.add(Rules.key(Rules.Entity.USER, user)));
    merchants.forEach(merchant -> keys.add(Rules.key(Rules.Entity.MERCHANT, merchant)));
    for (String device : devices) {
      if (!IdentifierHasher.isToken(device) && (hashSecret == null || hashSecret.isBlank())) {
        throw new IllegalArgumentException("device '" + device + "' is raw: pass --hash-secret (or FRAUDSTREAM_HASH_SECRET) to find its token, "
            + "or give the hmac: token shown in its decisions");
      }
      String token = IdentifierHasher.isToken(device) ? device : new IdentifierHasher(hashSecret).token(device);
      keys.add(Rules.key(Rules.Entity.DEVICE, token));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("nothing to unblock: name at least one --user, --device or --merchant");
    }
    Properties props = cluster.producerProperties("unblock");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, Topics.KEY_SERDE.serializer(), Topics.RAW_SERDE.serializer())) {
      for (String key : keys) {
        producer.send(new ProducerRecord<>(blocksTopic, key, null)).get(30, TimeUnit.SECONDS);
        System.out.println("lifted the block on " + key + " (tombstone on " + blocksTopic + ")");
      }
    }
    return 0;
  }
}
