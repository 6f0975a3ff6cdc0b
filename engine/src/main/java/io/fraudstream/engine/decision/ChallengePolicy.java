package io.fraudstream.engine.decision;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the engine does with a failed challenge beyond teaching the user's state. A passed or
 * abandoned challenge does nothing on its own; rules see every outcome through the user's
 * features ({@code failed_challenges_24h >= 2 -> block}).
 *
 * @param onFailed what a failed challenge does on its own
 * @param failedIsFraud whether a failed challenge counts as a fraud label for live precision and
 *     recall and for its merchant's and device's entity risk, as a confirmed fraud would; off by
 *     default, since a user who mistypes a code also fails one
 */
public record ChallengePolicy(OnFailed onFailed, boolean failedIsFraud) {

  /** What a failed challenge does on its own. */
  public enum OnFailed {
    /** Nothing beyond the user's state and metrics. */
    NOTHING,
    /** Tells the user at once, on the alerts topic, that a verification of their payment failed. */
    ALERT,
    /** Alerts, and blocks the user as a BLOCK decision would, for the block duration. */
    BLOCK;

    /** Reads {@code nothing}, {@code alert} or {@code block} in any case, or says which are accepted. */
    public static OnFailed parse(String text) {
      for (OnFailed value : values()) {
        if (value.name().equalsIgnoreCase(text.trim())) {
          return value;
        }
      }
      throw new IllegalArgumentException("what a failed challenge does must be one of "
          + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ", got '" + text + "'");
    }
  }

  public ChallengePolicy {
    if (onFailed == null) {
      throw new IllegalArgumentException("say what a failed challenge does: nothing, alert or block");
    }
  }

  /** Alerts on a failed challenge; a failed challenge is not a fraud label. */
  public static ChallengePolicy defaults() {
    return new ChallengePolicy(OnFailed.ALERT, false);
  }
}
