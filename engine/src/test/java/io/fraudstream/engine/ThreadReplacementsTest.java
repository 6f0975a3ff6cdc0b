package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThreadReplacementsTest {

  private static final long MINUTE = 60_000_000_000L;

  @Test
  void shouldAllowThreeReplacementsInTenMinutesThenStopUntilTheOldestLeavesTheWindow() {
    ThreadReplacements replacements = new ThreadReplacements();
    assertEquals(Optional.empty(), replacements.last());
    assertTrue(replacements.allowAnother(0, new IllegalStateException("first")));
    assertTrue(replacements.allowAnother(MINUTE, new IllegalStateException("second")));
    assertTrue(replacements.allowAnother(2 * MINUTE, new IllegalStateException("third")));
    assertFalse(replacements.allowAnother(3 * MINUTE, new IllegalStateException("fourth")),
        "a fourth failure within ten minutes stops the engine");
    assertEquals(3, replacements.recent());
    assertEquals("fourth", replacements.last().orElseThrow().getMessage(), "the last error is kept, replaced or not");
    assertTrue(replacements.allowAnother(10 * MINUTE + 1, new IllegalStateException("fifth")), "the first failure has left the window");
  }
}
