package io.fraudstream.client;

/** A request the engine refused for what it holds (400, 401, 403, 409): retrying it as it is cannot help. */
public final class DecideException extends RuntimeException {

  private final int status;

  DecideException(int status, String message) {
    super("the engine refused the payment (" + status + "): " + message);
    this.status = status;
  }

  /** The HTTP status: 400 bad payment, 401/403 not allowed, 409 a different payment under a used id. */
  public int status() {
    return status;
  }
}
