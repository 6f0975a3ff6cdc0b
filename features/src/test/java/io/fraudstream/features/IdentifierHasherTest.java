package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class IdentifierHasherTest {

  @Test
  void shouldGiveTheSameHashForTheSameSecretWhetherCachedOrNot() {
    IdentifierHasher hasher = new IdentifierHasher("secret-number-one-16");
    long fresh = new IdentifierHasher("secret-number-one-16").hash("device-42");
    assertEquals(fresh, hasher.hash("device-42"), "computed");
    assertEquals(fresh, hasher.hash("device-42"), "from the cache");
    int most = 0;
    for (int i = 0; i < IdentifierHasher.CACHE_SIZE + 1_000; i++) {
      hasher.hash("filler-" + i);   // more than the cache holds: it is emptied once, device-42 with it
      most = Math.max(most, hasher.cached());
    }
    assertEquals(IdentifierHasher.CACHE_SIZE, most, "the cache fills up to its bound, never past it");
    // Filled by device-42 and the fillers (some, in crowded probe runs, taking others' places),
    // it was emptied, and holds at most the fillers hashed since.
    assertTrue(hasher.cached() <= 1_001, "emptied when full, it holds what came after: " + hasher.cached());
    assertEquals(fresh, hasher.hash("device-42"), "computed again after eviction");
  }

  @Test
  void shouldTellApartIdentifiersThatShareAStringHashCode() {
    // "Aa" and "BB" have the same String.hashCode, so they probe the same cache slots.
    assertEquals("Aa".hashCode(), "BB".hashCode());
    IdentifierHasher hasher = new IdentifierHasher("secret-number-one-16");
    long aa = hasher.hash("Aa");
    long bb = hasher.hash("BB");
    assertNotEquals(aa, bb);
    assertEquals(new IdentifierHasher("secret-number-one-16").hash("BB"), bb);
    assertEquals(aa, hasher.hash("Aa"), "each is found again in the cache as itself");
    assertEquals(bb, hasher.hash("BB"));

    // 1,024 identifiers with one hash code, more than a probe run holds: each still hashes as
    // itself, first and again, and the cache keeps no more than fit.
    IdentifierHasher fresh = new IdentifierHasher("secret-number-one-16");
    List<String> colliding = new ArrayList<>(List.of(""));
    for (int pair = 0; pair < 10; pair++) {
      colliding = colliding.stream().flatMap(prefix -> Stream.of(prefix + "Aa", prefix + "BB")).toList();
    }
    for (int pass = 0; pass < 2; pass++) {
      for (String identifier : colliding) {
        assertEquals(colliding.get(0).hashCode(), identifier.hashCode());
        assertEquals(fresh.hash(identifier), hasher.hash(identifier), identifier);
      }
    }
    assertTrue(hasher.cached() <= 2 + 8, "one probe run's worth, not all " + colliding.size() + ": " + hasher.cached());
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
