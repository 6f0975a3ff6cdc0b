package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class IdentifierHasherTest {

  @Test
  void shouldGiveTheSameHashForTheSameSecretWhetherCachedOrNot() {
    IdentifierHasher hasher = new IdentifierHasher("secret-number-one-16");
    long fresh = new IdentifierHasher("secret-number-one-16").hash("device-42");
    assertEquals(fresh, hasher.hash("device-42"), "computed");
    assertEquals(fresh, hasher.hash("device-42"), "from the cache");
    for (int i = 0; i < IdentifierHasher.CACHE_SIZE + 1_000; i++) {
      hasher.hash("filler-" + i);   // more than the cache holds: device-42 is pushed out
    }
    assertEquals(IdentifierHasher.CACHE_SIZE, hasher.cached(), "the cache is bounded");
    assertEquals(fresh, hasher.hash("device-42"), "computed again after eviction");
  }

  @Test
  void shouldDependOnTheSecret() {
    assertNotEquals(new IdentifierHasher("secret-number-one-16").hash("device-42"),
        new IdentifierHasher("secret-number-two-16").hash("device-42"));
  }

  @Test
  void shouldHashATokenToTheHashOfItsIdentifier() {
    IdentifierHasher hasher = new IdentifierHasher("secret-number-one-16");
    String token = hasher.token("device-42");
    assertTrue(IdentifierHasher.isToken(token), token);
    assertFalse(token.contains("device-42"));
    assertEquals(hasher.hash("device-42"), hasher.hash(token));
    assertEquals(token, hasher.token(token), "tokenising twice changes nothing");
    assertNull(hasher.token(null));
  }

  @Test
  void shouldPseudonymiseEveryIdentifierThatOnlyFeedsNoveltyButKeepWhatEntityRiskNeeds() {
    IdentifierHasher hasher = new IdentifierHasher("secret-number-one-16");
    Transaction raw = Transaction.of("p1", Instant.EPOCH, "alice", 10).toBuilder()
        .merchant("shop").device("dev-1").ip("10.0.0.1").counterparty("bob").country("NL").location(52.0, 4.0).build();
    Transaction pseudonymous = hasher.pseudonymise(raw);
    assertEquals(hasher.token("dev-1"), pseudonymous.device());
    assertEquals(hasher.token("10.0.0.1"), pseudonymous.ip());
    assertEquals(hasher.token("bob"), pseudonymous.counterparty());
    assertEquals(hasher.token("NL"), pseudonymous.country());
    assertEquals(raw.toBuilder().device(null).ip(null).counterparty(null).country(null).build(),
        pseudonymous.toBuilder().device(null).ip(null).counterparty(null).country(null).build());
    assertSame(pseudonymous, hasher.pseudonymise(pseudonymous));
  }

  @Test
  void shouldRefuseShortSecrets() {
    assertThrows(IllegalArgumentException.class, () -> new IdentifierHasher("short"));
  }
}
