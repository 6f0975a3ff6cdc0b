package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IdentifierHasherTest {

  @Test
  void shouldGiveTheSameHashForTheSameSecretWhetherCachedOrNot() {
    IdentifierHasher hasher = new IdentifierHasher("secret-number-one-16");
    long first = hasher.hash("device-42");
    for (int i = 0; i < 10_000; i++) {
      hasher.hash("filler-" + i);   // pushes device-42 out of the cache
    }
    assertEquals(first, hasher.hash("device-42"));
    assertEquals(first, new IdentifierHasher("secret-number-one-16").hash("device-42"));
  }

  @Test
  void shouldDependOnTheSecret() {
    assertNotEquals(new IdentifierHasher("secret-number-one-16").hash("device-42"),
        new IdentifierHasher("secret-number-two-16").hash("device-42"));
  }

  @Test
  void shouldRefuseShortSecrets() {
    assertThrows(IllegalArgumentException.class, () -> new IdentifierHasher("short"));
  }
}
