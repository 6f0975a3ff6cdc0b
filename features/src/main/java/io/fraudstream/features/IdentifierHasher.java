package io.fraudstream.features;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns identifiers that are only compared for novelty (devices, merchants, IPs, counterparties)
 * into keyed 64-bit hashes (HMAC-SHA256, truncated), so that state and changelogs never hold the
 * raw value and nobody without the secret can test a guess against them.
 *
 * <p>Not thread-safe: each stream task or replay owns its own instance.
 */
public final class IdentifierHasher {

  private static final String ALGORITHM = "HmacSHA256";
  /**
   * Identifiers hashed since the cache was last emptied, at most this many, in memory only:
   * merchants, users, countries and a user's own devices recur, and an HMAC costs far more than
   * a lookup. Full, the cache is emptied and fills again with what recurs.
   */
  static final int CACHE_SIZE = 65_536;
  /** Twice the entries, a power of two: probe runs stay short. */
  private static final int CACHE_SLOTS = CACHE_SIZE * 2;
  /** Slots a lookup looks at, at most: a bound on the work an identifier can cause, whatever its hash code. */
  private static final int MAX_PROBES = 8;
  static final String TOKEN_PREFIX = "hmac:";
  private static final int TOKEN_HEX_DIGITS = 16;
  private final Mac mac;
  // An open-addressed table in two arrays rather than a map of boxed hashes: a hit reads one slot
  // of each, where a linked map's reads and reorders several objects scattered over the heap.
  // Made on the first hash, so a hasher that only checks tokens costs nothing.
  private String[] cachedIdentifiers;
  private long[] cachedHashes;
  private int cached;

  public IdentifierHasher(byte[] secret) {
    if (secret == null || secret.length < 16) {
      throw new IllegalArgumentException("the identifier hashing secret must be at least 16 bytes");
    }
    try {
      mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret, ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
    }
  }

  public IdentifierHasher(String secret) {
    this(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The keyed hash of an identifier. A {@linkplain #token token} stands for its identifier, so
   * hashing a payment before or after {@link #pseudonymise} gives the same features.
   */
  public long hash(String identifier) {
    if (isToken(identifier)) {
      return Long.parseUnsignedLong(identifier, TOKEN_PREFIX.length(), identifier.length(), 16);
    }
    if (cachedIdentifiers == null) {
      cachedIdentifiers = new String[CACHE_SLOTS];
      cachedHashes = new long[CACHE_SLOTS];
    }
    int first = firstSlot(identifier);
    int free = -1;
    for (int probe = 0; probe < MAX_PROBES; probe++) {
      int slot = (first + probe) & (CACHE_SLOTS - 1);
      String held = cachedIdentifiers[slot];
      if (held == null) {
        free = slot;
        break;
      }
      if (held.equals(identifier)) {
        return cachedHashes[slot];
      }
    }
    long hash = hmac(identifier);
    if (cached == CACHE_SIZE) {
      Arrays.fill(cachedIdentifiers, null);
      cached = 0;
      free = first;
    }
    if (free < 0) {
      // A crowded run, such as identifiers made to share a String hash code: the newcomer takes
      // the first slot's place, so that no lookup ever compares more than MAX_PROBES identifiers.
      free = first;
    } else {
      cached++;
    }
    cachedIdentifiers[free] = identifier;
    cachedHashes[free] = hash;
    return hash;
  }

  /** Where an identifier's probe starts: its hash code's bits mixed, so that similar ids spread. */
  private static int firstSlot(String identifier) {
    return (identifier.hashCode() * 0x9E3779B9 >>> 15) & (CACHE_SLOTS - 1);
  }

  /**
   * The pseudonymous stand-in for an identifier: {@code hmac:} and its keyed hash in hex. It can be
   * stored and sent on topics where the raw value must not go, and used as a key. Null stays null.
   */
  public String token(String identifier) {
    if (identifier == null || isToken(identifier)) {
      return identifier;
    }
    String hex = Long.toHexString(hash(identifier));
    return TOKEN_PREFIX + "0".repeat(TOKEN_HEX_DIGITS - hex.length()) + hex;
  }

  /** Whether {@code value} is a {@linkplain #token token} rather than a raw identifier. */
  public static boolean isToken(String value) {
    return value != null && value.length() == TOKEN_PREFIX.length() + TOKEN_HEX_DIGITS && value.startsWith(TOKEN_PREFIX);
  }

  /**
   * The payment with its device, IP, payee and country replaced by tokens: what may be buffered,
   * stored or sent on. The user (the partition key), the merchant (a business, needed to find its
   * entity risk) and the location (kept in the user's state anyway) stay as they are.
   */
  public Transaction pseudonymise(Transaction tx) {
    if (isPseudonymous(tx)) {
      return tx;
    }
    return tx.toBuilder().device(token(tx.device())).ip(token(tx.ip())).counterparty(token(tx.counterparty()))
        .country(token(tx.country())).build();
  }

  /** Identifiers whose hash is cached; never more than {@link #CACHE_SIZE}. */
  int cached() {
    return cached;
  }

  private static boolean isPseudonymous(Transaction tx) {
    return (tx.device() == null || isToken(tx.device())) && (tx.ip() == null || isToken(tx.ip()))
        && (tx.counterparty() == null || isToken(tx.counterparty())) && (tx.country() == null || isToken(tx.country()));
  }

  private long hmac(String identifier) {
    byte[] digest = mac.doFinal(identifier.getBytes(StandardCharsets.UTF_8));
    long hash = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      hash = (hash << 8) | (digest[i] & 0xFF);
    }
    return hash;
  }
}
