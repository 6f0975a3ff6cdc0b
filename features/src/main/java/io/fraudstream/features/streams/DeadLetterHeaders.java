package io.fraudstream.features.streams;

/** Header names on dead-letter records: why a record was diverted and where it came from. */
public final class DeadLetterHeaders {
  public static final String REASON = "fraudstream.error.reason";
  public static final String TOPIC = "fraudstream.error.topic";
  public static final String PARTITION = "fraudstream.error.partition";
  public static final String OFFSET = "fraudstream.error.offset";
  /** Present when the value was cut to the input limit: the original record's size in bytes. */
  public static final String TRUNCATED_FROM = "fraudstream.error.truncated-from";
  /** Which path diverted the record: the topology's check, or Kafka Streams' deserialization, processing or production handler. */
  public static final String STAGE = "fraudstream.error.stage";

  private DeadLetterHeaders() {}
}
