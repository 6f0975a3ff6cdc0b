package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadReplacementsTest {

  private static final long MINUTE = 60_000_000_000L;

  @Test
  void shouldAllowThreeReplacementsInTenMinutesThenStopUntilTheOldestLeavesTheWindow() {
    ThreadReplacements replacements = new ThreadReplacements();
    assertTrue(replacements.allowAnother(0));
    assertTrue(replacements.allowAnother(MINUTE));
    assertTrue(replacements.allowAnother(2 * MINUTE));
    assertFalse(replacements.allowAnother(3 * MINUTE), "a fourth failure within ten minutes stops the engine");
    assertEquals(3, replacements.recent());
    assertTrue(replacements.allowAnother(10 * MINUTE + 1), "the first failure has left the window");
  }
}
