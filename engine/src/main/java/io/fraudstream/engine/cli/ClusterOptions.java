package io.fraudstream.engine.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The Kafka cluster a command writes to, for commands that need a running one (erase, replay). */
final class ClusterOptions {

  @Option(names = "--bootstrap-servers", defaultValue = "${env:FRAUDSTREAM_BOOTSTRAP_SERVERS}",
      description = "the engine's Kafka cluster (env FRAUDSTREAM_BOOTSTRAP_SERVERS)")
  String bootstrapServers;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "any Kafka client setting, e.g. security.protocol=SASL_SSL; repeatable")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** Client settings for the cluster (flags over environment over config file), or an error naming what {@code purpose} needs. */
  Properties clientProperties(String purpose) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(purpose + " needs the engine's cluster: pass --bootstrap-servers or set FRAUDSTREAM_BOOTSTRAP_SERVERS");
    }
    Properties props = new Properties();
    props.putAll(ConfigSources.kafkaSettings(spec, kafka));
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /** Idempotent producer settings for the cluster, or an error naming what {@code purpose} needs. */
  Properties producerProperties(String purpose) {
    Properties props = clientProperties(purpose);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return props;
  }
}
