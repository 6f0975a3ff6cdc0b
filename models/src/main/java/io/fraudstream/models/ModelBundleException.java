package io.fraudstream.models;

/** A model bundle that cannot be used, with a message that says why and what to do. */
public final class ModelBundleException extends RuntimeException {
  public ModelBundleException(String message) {
    super(message);
  }

  public ModelBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
