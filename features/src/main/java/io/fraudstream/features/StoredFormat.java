package io.fraudstream.features;

import java.util.List;

/**
 * A format the engine keeps data in (state stores, their changelogs, model bundles), for the
 * reference page of stored formats: what it holds, the version this build writes and the versions
 * it reads. A version not read here is refused with a message, never misread.
 *
 * @param name what the format holds
 * @param written the version this build writes
 * @param read the versions this build reads, oldest first
 */
public record StoredFormat(String name, int written, List<Integer> read) {

  public StoredFormat {
    read = List.copyOf(read);
    if (!read.contains(written)) {
      throw new IllegalArgumentException("a format must read what it writes");
    }
  }
}
