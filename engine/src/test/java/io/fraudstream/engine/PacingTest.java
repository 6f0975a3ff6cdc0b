package io.fraudstream.engine;

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

  @Test
  void shouldWaitUntilASendIsDue() {
    long start = System.nanoTime();
    Pacing.awaitTurn(start, 50, 1_000);
    assertTrue(System.nanoTime() - start >= 50_000_000L, "the 50th send at 1,000/s is due after 50 ms");
    long unpaced = System.nanoTime();
    Pacing.awaitTurn(unpaced, 1_000_000, 0);
    assertTrue(System.nanoTime() - unpaced < 50_000_000L, "rate 0 never waits");
  }
}
