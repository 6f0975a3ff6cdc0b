package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PacingTest {

  @Test
  void shouldTakeNearestRankPercentiles() {
    long[] values = LongStream.rangeClosed(1, 100).toArray();
    assertEquals(50, Pacing.percentile(values, 0.50));
    assertEquals(99, Pacing.percentile(values, 0.99));
    assertEquals(100, Pacing.percentile(values, 1.0));
    assertEquals(7, Pacing.percentile(new long[] {7}, 0.99));
    assertTrue(Double.isNaN(Pacing.percentile(new long[0], 0.5)));
  }

  // When each send is due, not how long a sleep took: speed is measured by benchmarks, not by timed tests.
  @Test
  void shouldSpaceSendsEvenlyAtTheRateAndNotAtAllAtRateZero() {
    assertEquals(0, Pacing.dueAfterNanos(0, 1_000));
    assertEquals(50_000_000L, Pacing.dueAfterNanos(50, 1_000), "the 50th send at 1,000/s is due after 50 ms");
    assertEquals(1_500_000_000L, Pacing.dueAfterNanos(3, 2));
    assertEquals(0, Pacing.dueAfterNanos(1_000_000, 0), "rate 0 never waits");
  }
}
