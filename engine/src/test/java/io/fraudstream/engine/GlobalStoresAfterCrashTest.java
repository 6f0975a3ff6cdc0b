package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Global stores are kept after a clean stop and read again from their topics after any other. */
class GlobalStoresAfterCrashTest {

  @Test
  void shouldRemoveTheGlobalStoresUnlessTheLastStopWasClean(@TempDir Path stateDir) throws Exception {
    Path global = Files.createDirectories(stateDir.resolve("fraudstream").resolve("global").resolve("rocksdb").resolve("active-blocks"));
    Path task = Files.createDirectories(stateDir.resolve("fraudstream").resolve("0_1"));
    Files.writeString(global.resolve("000001.sst"), "state");
    List<String> applications = List.of("fraudstream", "fraudstream-off-path");

    GlobalStoresAfterCrash.stoppedCleanly(stateDir);
    assertFalse(GlobalStoresAfterCrash.prepare(stateDir, applications), "a clean stop keeps them");
    assertTrue(Files.exists(global.resolve("000001.sst")));

    // This run never marked its stop: killed, as far as the next start can tell.
    assertTrue(GlobalStoresAfterCrash.prepare(stateDir, applications));
    assertFalse(Files.exists(stateDir.resolve("fraudstream").resolve("global")));
    assertTrue(Files.isDirectory(task), "the tasks' stores are Kafka Streams' to check, and it does");
    assertFalse(GlobalStoresAfterCrash.prepare(stateDir, applications), "nothing left to remove");
  }
}
