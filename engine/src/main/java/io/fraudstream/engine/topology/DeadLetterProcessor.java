package io.fraudstream.engine.topology;

import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.Unreadable;
import io.fraudstream.features.streams.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that could not be read to the dead-letter topic: its original bytes, plus
 * headers saying why and where it came from, so that nothing is dropped without a trace.
 */
final class DeadLetterProcessor<V extends Unreadable> implements Processor<String, V, String, byte[]> {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessor.class);
  private static final byte[] STAGE = "check".getBytes(StandardCharsets.UTF_8);

  private final EngineMetrics metrics;
  private ProcessorContext<String, byte[]> context;

  DeadLetterProcessor(EngineMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, V> record) {
    Unreadable invalid = record.value();
    Headers headers = record.headers();
    headers.add(DeadLetterHeaders.STAGE, STAGE);
    RecordMetadata source = context.recordMetadata().orElse(null);
    metrics.deadLetter(source == null ? null : source.topic());
    byte[] value = source == null ? DeadLetters.describe(headers, invalid.raw(), invalid.reason(), null, -1, -1)
        : DeadLetters.describe(headers, invalid.raw(), invalid.reason(), source.topic(), source.partition(), source.offset());
    if (source != null) {
      LOG.warn("Unreadable record at {}-{}@{} sent to the dead-letter topic: {}",
          source.topic(), source.partition(), source.offset(), invalid.reason());
    }
    // Stamped when refused, like the handler's dead letters: a payment dated weeks back must not
    // leave its dead letter to the broker's next retention check.
    context.forward(record.withKey(DeadLetters.boundedKey(record.key())).withValue(value).withHeaders(headers)
        .withTimestamp(context.currentSystemTimeMs()));
  }
}
