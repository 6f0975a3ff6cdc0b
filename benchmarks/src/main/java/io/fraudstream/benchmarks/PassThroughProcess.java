package io.fraudstream.benchmarks;

import io.fraudstream.engine.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A one-hop Kafka Streams pass-through (consume, produce, no work) in a JVM of its own, with the
 * engine's own client settings: the platform's floor for a hop.
 * {@code PassThroughProcess BOOTSTRAP STATE_DIR APPLICATION_ID INPUT OUTPUT GUARANTEE}; prints
 * {@code running} once it runs and stops on SIGTERM.
 */
public final class PassThroughProcess {

  private PassThroughProcess() {}

  public static void main(String[] args) throws InterruptedException {
    EngineConfig config = EndToEndBenchmark.config(args[0], Path.of(args[1]), args[2], args[3], 1, args[5]);
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(args[3], Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to(args[4], Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    KafkaStreams streams = new KafkaStreams(builder.build(), config.streamsProperties());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(30));
      stopped.countDown();
    }));
    streams.start();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    System.out.println("running");
    stopped.await();
  }
}
