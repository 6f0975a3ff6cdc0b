package io.fraudstream.engine.console;

import io.fraudstream.features.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operators allowed to act, each with a token, and the browser sessions they opened. Tokens
 * are kept only as digests and compared in constant time; nothing here is ever logged. A session
 * carries its own anti-forgery token, which a state-changing request from the page must echo in a
 * header that another site's form or script cannot set.
 */
public final class Operators {

  /** An operator's browser session. */
  public record Session(String operator, String csrf) {}

  private final Map<String, byte[]> digests = new LinkedHashMap<>();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /** From {@code name:token,name:token}; blank for none (the console is then read-only). */
  public static Operators parse(String spec) {
    Operators operators = new Operators();
    if (spec == null || spec.isBlank()) {
      return operators;
    }
    for (String entry : spec.split(",")) {
      int colon = entry.indexOf(':');
      String name = colon < 0 ? "" : entry.substring(0, colon).trim();
      String token = colon < 0 ? "" : entry.substring(colon + 1).trim();
      if (name.isEmpty() || !name.matches("[A-Za-z0-9._@-]{1,64}") || token.length() < 12) {
        throw new IllegalArgumentException("operators are given as name:token pairs separated by commas, names of letters, digits"
            + " and ._@- up to 64, tokens of at least 12 characters; one entry is not (its token is not shown)");
      }
      operators.digests.put(name, digest(token));
    }
    return operators;
  }

  public boolean any() {
    return !digests.isEmpty();
  }

  /** The operator whose token this is, or {@code null}. Every configured digest is compared, so the time says nothing. */
  public String authenticate(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    byte[] offered = digest(token);
    String found = null;
    for (Map.Entry<String, byte[]> entry : digests.entrySet()) {
      if (MessageDigest.isEqual(entry.getValue(), offered)) {
        found = entry.getKey();
      }
    }
    return found;
  }

  /** Opens a session for an authenticated operator; returns its id, the cookie's value. */
  public String open(String operator) {
    String id = randomHex();
    sessions.put(id, new Session(operator, randomHex()));
    return id;
  }

  public Session session(String id) {
    return id == null ? null : sessions.get(id);
  }

  public void close(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private String randomHex() {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static byte[] digest(String token) {
    return Sha256.newDigest().digest(token.getBytes(StandardCharsets.UTF_8));
  }
}
