package io.fraudstream.features;

/**
 * The one holder of the deployment's hash secret: made once, at start, and handed to whatever
 * pseudonymises identifiers, so the secret itself travels nowhere. Each user gets its own {@link
 * IdentifierHasher} from {@link #newHasher()}, because a hasher (its MAC and its cache of recent
 * identifiers) belongs to one thread.
 *
 * <p>Thread-safe and immutable.
 */
public final class Pseudonymiser {

  private final byte[] secret;

  /** @throws IllegalArgumentException if the secret is shorter than 16 bytes */
  public Pseudonymiser(byte[] secret) {
    this.secret = secret == null ? null : secret.clone();
    newHasher();
  }

  /** A hasher keyed with this secret, for one thread (a stream task, a replay, a command). */
  public IdentifierHasher newHasher() {
    return new IdentifierHasher(secret);
  }

  @Override
  public String toString() {
    return "Pseudonymiser[secret hidden]";
  }
}
