package io.fraudstream.features;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
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
  /** Recently hashed identifiers, in memory only: merchants, countries and a user's own devices
   * recur, and an HMAC costs far more than a map lookup. */
  static final int CACHE_SIZE = 65_536;
  static final String TOKEN_PREFIX = "hmac:";
  private static final int TOKEN_HEX_DIGITS = 16;
  private final Mac mac;
  private final Map<String, Long> recent = new LinkedHashMap<>(CACHE_SIZE * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > CACHE_SIZE;
    }
  };

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
    Long cached = recent.get(identifier);
    if (cached != null) {
      return cached;
    }
    long hash = hmac(identifier);
    recent.put(identifier, hash);
    return hash;
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
    return recent.size();
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
