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
  private static final int CACHE_SIZE = 65_536;
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

  /** The keyed hash of an identifier. */
  public long hash(String identifier) {
    Long cached = recent.get(identifier);
    if (cached != null) {
      return cached;
    }
    long hash = hmac(identifier);
    recent.put(identifier, hash);
    return hash;
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
