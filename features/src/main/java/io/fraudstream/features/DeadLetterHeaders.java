package io.fraudstream.features;

/** Header names on dead-letter records: why a record was diverted and where it came from. */
public final class DeadLetterHeaders {
  public static final String REASON = "fraudstream.error.reason";
  public static final String TOPIC = "fraudstream.error.topic";
  public static final String PARTITION = "fraudstream.error.partition";
  public static final String OFFSET = "fraudstream.error.offset";

  private DeadLetterHeaders() {}
}
