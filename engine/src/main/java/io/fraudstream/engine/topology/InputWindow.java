package io.fraudstream.engine.topology;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Which payment and label times the engine accepts, relative to its own clock. A time further
 * ahead than {@code maxAhead} would be refused by the brokers when its outputs are written (Kafka
 * 4 refuses record times more than an hour ahead by default), so it goes to the dead-letter topic
 * instead; a time older than {@code maxAge} is refused too when an age is set. Both are checked at
 * the door, against the wall clock, so that everything past the door runs on event time alone.
 *
 * @param maxAhead how far a time may be ahead of the engine's clock
 * @param maxAge how far a time may be behind it, or zero for any time since 1970
 */
public record InputWindow(Duration maxAhead, Duration maxAge, Clock clock) {

  /** Five minutes ahead at most (clock skew between the payment service and the engine), any age. */
  public static final Duration DEFAULT_MAX_AHEAD = Duration.ofMinutes(5);
  /** The most {@code maxAhead} may be: below the one hour ahead that Kafka's brokers accept by default. */
  public static final Duration LIMIT_AHEAD = Duration.ofMinutes(55);

  public InputWindow {
    if (maxAhead.isNegative() || maxAhead.compareTo(LIMIT_AHEAD) > 0) {
      throw new IllegalArgumentException("the accepted time ahead of the clock must be from 0 to " + LIMIT_AHEAD.toMinutes()
          + " minutes (brokers refuse records more than an hour ahead), got " + maxAhead);
    }
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("the accepted age must not be negative (0 accepts any age), got " + maxAge);
    }
  }

  public static InputWindow defaults() {
    return new InputWindow(DEFAULT_MAX_AHEAD, Duration.ZERO, Clock.systemUTC());
  }

  /** Whether a time in epoch milliseconds is accepted: what {@link #check} says, without the words. */
  public boolean accepts(long epochMillis) {
    long now = clock.millis();
    return epochMillis <= now + maxAhead.toMillis() && (maxAge.isZero() || epochMillis >= now - maxAge.toMillis());
  }

  /** Why {@code time} is refused, or null when it is accepted. */
  public String check(Instant time, String what) {
    Instant now = clock.instant();
    if (time.isAfter(now.plus(maxAhead))) {
      return what + " " + time + " is more than " + describe(maxAhead) + " ahead of the engine's clock (" + now
          + "); check the sender's clock, or raise --max-ahead-ms";
    }
    if (!maxAge.isZero() && time.isBefore(now.minus(maxAge))) {
      return what + " " + time + " is more than " + describe(maxAge) + " before the engine's clock (" + now
          + "); raise --max-age-days to accept older payments";
    }
    return null;
  }

  private static String describe(Duration duration) {
    return duration.toDays() >= 1 && duration.toHoursPart() == 0 ? duration.toDays() + " days"
        : duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " minutes" : duration.toMillis() + " ms";
  }

  @Override
  public String toString() {
    return "InputWindow[maxAhead=" + maxAhead + ", maxAge=" + (maxAge.isZero() ? "any" : maxAge) + "]";
  }
}
