package io.fraudstream.engine;

import io.fraudstream.features.DeadLetterHeaders;
import io.fraudstream.features.Unreadable;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that could not be read to the dead-letter topic: its original bytes, plus
 * headers saying why and where it came from, so that nothing is dropped without a trace.
 */
final class DeadLetterProcessor<V extends Unreadable> implements FixedKeyProcessor<String, V, byte[]> {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessor.class);

  private final EngineMetrics metrics;
  private FixedKeyProcessorContext<String, byte[]> context;

  DeadLetterProcessor(EngineMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    Unreadable invalid = record.value();
    Headers headers = record.headers();
    headers.add(DeadLetterHeaders.REASON, invalid.reason().getBytes(StandardCharsets.UTF_8));
    RecordMetadata source = context.recordMetadata().orElse(null);
    metrics.deadLetter(source == null ? null : source.topic());
    if (source != null) {
      headers.add(DeadLetterHeaders.TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
      headers.add(DeadLetterHeaders.PARTITION, Integer.toString(source.partition()).getBytes(StandardCharsets.UTF_8));
      headers.add(DeadLetterHeaders.OFFSET, Long.toString(source.offset()).getBytes(StandardCharsets.UTF_8));
      LOG.warn("Unreadable record at {}-{}@{} sent to the dead-letter topic: {}",
          source.topic(), source.partition(), source.offset(), invalid.reason());
    }
    context.forward(record.withValue(invalid.raw()).withHeaders(headers));
  }
}
