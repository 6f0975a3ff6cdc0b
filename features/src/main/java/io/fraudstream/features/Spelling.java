package io.fraudstream.features;

import java.util.Collection;
import java.util.Optional;

/** Finds what a mistyped name was probably meant to be, for error messages. */
public final class Spelling {

  private Spelling() {}

  /**
   * The candidate closest to {@code name} by edit distance, if it is close enough to be a likely
   * typo; a candidate that ends like the name after its first underscore or dot
   * ({@code velocity_count_1m} and {@code tx_count_1m}) counts as close too.
   */
  public static Optional<String> closest(String name, Collection<String> candidates) {
    int cut = Math.max(name.indexOf('_'), name.indexOf('.'));
    String suffix = cut > 0 ? name.substring(cut) : null;
    String closest = null;
    int best = Integer.MAX_VALUE;
    for (String known : candidates) {
      int distance = suffix != null && suffix.length() >= 4 && known.endsWith(suffix) ? 0 : editDistance(name, known);
      if (distance < best) {
        best = distance;
        closest = known;
      }
    }
    return best <= Math.max(3, name.length() / 3) ? Optional.ofNullable(closest) : Optional.empty();
  }

  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
