package io.fraudstream.engine.rules;

/** A rules file that cannot be used, with every bad line named. */
public final class RulesException extends IllegalArgumentException {
  public RulesException(String message) {
    super(message);
  }
}
