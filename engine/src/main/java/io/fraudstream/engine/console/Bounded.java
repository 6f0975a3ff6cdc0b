package io.fraudstream.engine.console;

import java.util.LinkedHashMap;
import java.util.Map;

/** The console's one way to hold at most so many entries: the eldest is forgotten first. */
final class Bounded {

  private Bounded() {}

  /**
   * A map of at most {@code max} entries that forgets its eldest: the least recently used when
   * {@code byUse}, the first put otherwise.
   */
  static <K, V> LinkedHashMap<K, V> map(int max, boolean byUse) {
    return new LinkedHashMap<>(16, 0.75f, byUse) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }
}
