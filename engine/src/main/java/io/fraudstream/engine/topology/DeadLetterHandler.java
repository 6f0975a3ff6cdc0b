package io.fraudstream.engine.topology;

import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.streams.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line of the input contract, plugged into Kafka Streams' own three exception handlers:
 * a record that cannot be deserialized (say, a hostile record written to an internal topic), one
 * whose processing throws, or one whose output a broker refuses for its size or time goes to the
 * dead-letter topic with the reason, through Kafka Streams' dead-letter support (KIP-1034), and
 * processing resumes. So no record can stop a stream thread.
 *
 * <p>Errors that are not about one record (authorisation, a missing topic) still fail the
 * thread: resuming would drop every output without a trace.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler, ProductionExceptionHandler {

  /** Config key under which the engine hands this handler its meters. */
  static final String METRICS_CONFIG = "fraudstream.dead.letter.metrics";
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
  /** Production errors that belong to the one record, not to the cluster or the application. */
  private static final List<Class<? extends Exception>> RECORD_ERRORS = List.of(RecordTooLargeException.class,
      RecordBatchTooLargeException.class, InvalidTimestampException.class, InvalidRecordException.class, SerializationException.class);

  private String deadLetterTopic;
  private EngineMetrics metrics;

  /** Sets Kafka Streams' three handlers to this one, writing to {@code topics.deadLetters()} and counting in {@code metrics}. */
  public static void install(Properties streamsProperties, Topics topics, EngineMetrics metrics) {
    streamsProperties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    streamsProperties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    streamsProperties.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    streamsProperties.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters());
    streamsProperties.put(METRICS_CONFIG, metrics);
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    if (!(configs.get(METRICS_CONFIG) instanceof EngineMetrics engineMetrics) || topic == null) {
      throw new ConfigException("the dead-letter handler needs its topic and meters: set it up with DeadLetterHandler.install");
    }
    this.deadLetterTopic = topic.toString();
    this.metrics = engineMetrics;
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
      Exception exception) {
    return DeserializationExceptionHandler.Response.resume(List.of(
        deadLetter(context, "deserialization", record.key(), record.value(), "cannot read the record: " + message(exception), exception)));
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(context, "processing", context.sourceRawKey(),
        context.sourceRawValue(), "processing failed in " + context.processorNodeId() + ": " + message(exception), exception)));
  }

  @Override
  public ProductionExceptionHandler.Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
      Exception exception) {
    if (record.topic().equals(deadLetterTopic) || RECORD_ERRORS.stream().noneMatch(kind -> kind.isInstance(exception))) {
      LOG.error("Cannot write to {}: {}", record.topic(), message(exception));
      return ProductionExceptionHandler.Response.fail();
    }
    return ProductionExceptionHandler.Response.resume(List.of(deadLetter(context, "production", context.sourceRawKey(),
        context.sourceRawValue(), "an output to " + record.topic() + " was refused: " + message(exception), exception)));
  }

  @Override
  public ProductionExceptionHandler.Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record,
      Exception exception, SerializationExceptionOrigin origin) {
    return ProductionExceptionHandler.Response.resume(List.of(deadLetter(context, "production", context.sourceRawKey(),
        context.sourceRawValue(), "an output to " + record.topic() + " could not be written: " + message(exception), exception)));
  }

  private ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, String stage, byte[] key, byte[] value, String reason,
      Exception exception) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(DeadLetterHeaders.STAGE, stage.getBytes(StandardCharsets.UTF_8));
    byte[] bounded = DeadLetters.describe(headers, value, reason, context.topic(), context.partition(), context.offset());
    metrics.deadLetter(context.topic());
    metrics.recordError(stage);
    LOG.warn("Record at {}-{}@{} sent to the dead-letter topic ({}): {}", context.topic(), context.partition(), context.offset(),
        stage, reason, stage.equals("processing") ? exception : null);
    return new ProducerRecord<>(deadLetterTopic, null, DeadLetters.boundedKey(key), bounded, headers);
  }

  private static String message(Exception exception) {
    Throwable root = exception;
    while (root.getCause() != null && root.getMessage() == null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
