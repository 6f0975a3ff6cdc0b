package io.fraudstream.engine.cli;

import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.FeatureTable;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.TimeOrderedDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Replays a dataset: into a live transactions topic at a rate or a speed-up of its own timing,
 * or offline through the feature extractors into a training table.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay a dataset into a transactions topic, or offline into a table of features.")
final class ReplayCommand implements Callable<Integer> {

  @Mixin
  DatasetOptions input;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--to-topic", description = "a transactions topic the engine reads (keyed by user)")
    String topic;

    @Option(names = "--to-table", description = "a CSV (.gz compresses) of every payment's features, in event-time order")
    Path table;
  }

  /** With --to-topic: the cluster. */
  @Mixin
  ClusterOptions cluster;

  @Option(names = "--partitions", defaultValue = "${env:FRAUDSTREAM_PARTITIONS:-4}",
      description = "with --to-topic: partitions of the topics if they must be created (default ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--rate", defaultValue = "0", description = "with --to-topic: payments per second, 0 for as fast as possible (default)")
  int rate;

  @Option(names = "--speedup", description = "with --to-topic: keep the dataset's own timing, this many times faster (e.g. 3600: an hour a second)")
  Double speedup;

  @Option(names = "--with-labels", description = "with --to-topic: publish each fraud's label on the labels topic right after its payment")
  boolean withLabels;

  @Option(names = "--labels-topic", defaultValue = "labels", description = "with --with-labels: the topic (default ${DEFAULT-VALUE})")
  String labelsTopic;

  @Option(names = "--temp-dir", defaultValue = "${sys:java.io.tmpdir}",
      description = "where a dataset out of time order is sorted, about its own size (default ${DEFAULT-VALUE})")
  Path temporaryDirectory;

  @Option(names = "--label-delay-days", defaultValue = "7",
      description = "with --to-table: entity risk counts frauds only of payments at least this old (default ${DEFAULT-VALUE})")
  int labelDelayDays;

  @Override
  public Integer call() throws Exception {
    DatasetMapping mapping = input.mapping();
    if (target.table != null) {
      Duration labelDelay = Duration.ofDays(labelDelayDays);
      EntityState.checkLabelDelay(labelDelay);
      // Streamed as for --to-topic, and replayed one payment at a time: memory holds the users'
      // and entities' states, never the rows.
      TimeOrderedDataset dataset = orderedDataset(mapping);
      OfflineReplay.Streaming replay = new OfflineReplay.Streaming(DemoCommand.randomSecret().getBytes(StandardCharsets.UTF_8),
          labelDelay);
      long start = System.nanoTime();
      long[] written = {0};
      try (FeatureTable.Rows table = FeatureTable.open(target.table)) {
        ProgressBar progress = new ProgressBar(System.out, "replayed", dataset.payments());
        dataset.forEach(TimeOrderedDataset.DEFAULT_CHUNK_ROWS, temporaryDirectory, tx -> {
          try {
            table.write(replay.next(tx));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target.table + ": " + e.getMessage(), e);
          }
          progress.update(++written[0]);
        });
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "replayed %,d payments (%s format) in %.1f s (%,.0f/s); wrote %s%n", written[0], mapping.name(),
          seconds, written[0] / seconds, target.table);
      return 0;
    }
    return toTopic(mapping);
  }

  private TimeOrderedDataset orderedDataset(DatasetMapping mapping) throws IOException {
    return orderedDataset(input.dataset, mapping, temporaryDirectory);
  }

  /**
   * The dataset, streamed and never loaded: one larger than the heap is replayed in time order all
   * the same, sorted through temporary files in {@code temporaryDirectory} when it must be.
   */
  static TimeOrderedDataset orderedDataset(Path file, DatasetMapping mapping, Path temporaryDirectory) throws IOException {
    System.out.println("reading " + file + " to count its payments and check their time order");
    TimeOrderedDataset dataset = TimeOrderedDataset.scan(file, mapping);
    if (!dataset.inTimeOrder()) {
      System.out.printf(Locale.ROOT, "%s is not in time order: sorting its %,d payments through temporary files in %s%n", file,
          dataset.payments(), temporaryDirectory);
    }
    return dataset;
  }

  private int toTopic(DatasetMapping mapping) throws Exception {
    Properties props = cluster.producerProperties("--to-topic");
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
    }
    if (rate < 0) {
      throw new IllegalArgumentException("--rate must be 0 (as fast as possible) or more, got " + rate);
    }
    if (speedup != null && (rate > 0 || !(speedup > 0))) {
      throw new IllegalArgumentException("--speedup must be a positive number and cannot be combined with --rate");
    }
    TimeOrderedDataset dataset = orderedDataset(mapping);
    props.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 || speedup != null ? "5" : "20");
    List<String> topics = withLabels ? List.of(target.topic, labelsTopic) : List.of(target.topic);
    for (String created : TopicAdmin.ensureTopics(props, topics, partitions, Set.of())) {
      System.out.println("created topic " + created + " with " + partitions + " partitions");
    }
    long start = System.nanoTime();
    long[] labels = {0};
    long[] sent = {0};
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, Topics.KEY_SERDE.serializer(), new ByteArraySerializer())) {
      ProgressBar progress = new ProgressBar(System.out, "   sent", dataset.payments());
      long[] firstMillis = {Long.MIN_VALUE};
      dataset.forEach(TimeOrderedDataset.DEFAULT_CHUNK_ROWS, temporaryDirectory, tx -> {
        if (firstMillis[0] == Long.MIN_VALUE) {
          firstMillis[0] = tx.timestamp().toEpochMilli();
        }
        if (speedup != null) {
          Pacing.awaitElapsed(start, (long) ((tx.timestamp().toEpochMilli() - firstMillis[0]) * 1e6 / speedup));
        } else {
          Pacing.awaitTurn(start, sent[0], rate);
        }
        producer.send(new ProducerRecord<>(target.topic, tx.user(), TransactionJson.write(tx)));
        if (withLabels && Boolean.TRUE.equals(tx.label())) {
          // Stamped now: the engine reads a label's time from its value, and a broker's retention
          // would delete records stamped with a history's times before the engine read them.
          producer.send(new ProducerRecord<>(labelsTopic, tx.id(),
              new PaymentLabel(tx.id(), true, tx.merchant(), tx.device(), tx.timestamp()).toJson()));
          labels[0]++;
        }
        progress.update(++sent[0]);
      });
      producer.flush();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "sent %,d payments (%s format) to %s in %.1f s%s%n", sent[0], mapping.name(), target.topic,
        seconds, withLabels ? String.format(Locale.ROOT, ", and %,d fraud labels to %s", labels[0], labelsTopic) : "");
    return 0;
  }
}
