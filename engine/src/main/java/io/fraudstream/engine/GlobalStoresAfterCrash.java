package io.fraudstream.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams 4.3 cannot open a global store that a process killed with -9 left open under
 * exactly-once: its global thread dies on "didn't find a valid state" at every start after, so
 * the engine could never start again on that state directory (seen in {@code KillNineBenchmark};
 * upstream as KAFKA-21034, not yet released). Global stores are copies of compacted topics (the
 * blocks, the entities' published risk), so after a stop that was not clean their directory is
 * removed and they are read again from their topics. A marker written after a clean stop tells
 * which it was.
 */
final class GlobalStoresAfterCrash {

  private static final Logger LOG = LoggerFactory.getLogger(GlobalStoresAfterCrash.class);
  static final String CLEAN_STOP_MARKER = "fraudstream-stopped-cleanly";

  private GlobalStoresAfterCrash() {}

  /**
   * Before the applications start: removes their global stores under {@code stateDir} unless the
   * last stop was clean, and forgets that it was (this run has not stopped yet).
   *
   * @return whether any global store was removed
   */
  static boolean prepare(Path stateDir, List<String> applicationIds) {
    try {
      if (Files.deleteIfExists(stateDir.resolve(CLEAN_STOP_MARKER))) {
        return false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the state directory " + stateDir, e);
    }
    boolean removed = false;
    for (String applicationId : applicationIds) {
      Path global = stateDir.resolve(applicationId).resolve("global");
      if (Files.isDirectory(global)) {
        TemporaryDirectory.deleteRecursively(global);
        removed = true;
      }
    }
    if (removed) {
      LOG.warn("The last stop on {} was not clean: the global stores (blocks, entity risk) are read again from their topics", stateDir);
    }
    return removed;
  }

  /** After the applications have closed cleanly: the next start may keep the global stores. */
  static void stoppedCleanly(Path stateDir) {
    try {
      Files.writeString(stateDir.resolve(CLEAN_STOP_MARKER), "");
    } catch (IOException e) {
      // The next start then reads the global stores again, which is slower, never wrong.
      LOG.warn("Could not mark the clean stop in {}: {}", stateDir, e.toString());
    }
  }
}
