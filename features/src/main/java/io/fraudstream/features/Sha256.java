package io.fraudstream.features;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 for content identifiers (model and rules versions, dataset fingerprints), never for
 * pseudonyms: those are keyed, by {@link IdentifierHasher}.
 */
public final class Sha256 {

  private Sha256() {}

  /** A fresh digest; every Java runtime has SHA-256, so its absence is a broken JVM, not an input error. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The digest of {@code bytes} in lowercase hex, 64 characters. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(newDigest().digest(bytes));
  }

  /** The first {@code chars} hex characters of the digest of {@code bytes}: a short identifier. */
  public static String shortHex(byte[] bytes, int chars) {
    return hex(bytes).substring(0, chars);
  }
}
