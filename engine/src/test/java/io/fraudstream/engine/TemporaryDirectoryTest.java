package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporaryDirectoryTest {

  @Test
  void shouldDeleteTheDirectoryWithEverythingInItOnClose() throws Exception {
    Path path;
    try (TemporaryDirectory directory = TemporaryDirectory.create("fraudstream-test-")) {
      path = directory.path();
      assertTrue(Files.isDirectory(path));
      assertTrue(path.getFileName().toString().startsWith("fraudstream-test-"), path.toString());
      Path nested = Files.createDirectories(path.resolve("0_0/rocksdb/user-state"));
      Files.writeString(nested.resolve("IDENTITY"), "store");
      Files.writeString(path.resolve(".lock"), "");
    }
    assertFalse(Files.exists(path), path + " is left");
  }

  /** Called while a command stops: what is already gone is no error, and nothing beside the directory goes. */
  @Test
  void shouldDeleteOnlyTheNamedDirectoryAndQuietlyWhatIsAlreadyGone(@TempDir Path dir) throws Exception {
    TemporaryDirectory.deleteRecursively(dir.resolve("never-made"));
    Path named = Files.createDirectories(dir.resolve("state/0_0"));
    Files.writeString(named.resolve("IDENTITY"), "store");
    Path sibling = Files.writeString(dir.resolve("state-kept"), "x");
    TemporaryDirectory.deleteRecursively(dir.resolve("state"));
    assertFalse(Files.exists(dir.resolve("state")), "the named directory is left");
    assertEquals("x", Files.readString(sibling), "a sibling whose name starts alike went too");
    TemporaryDirectory.deleteRecursively(dir.resolve("state"));
  }
}
