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

  @Test
  void shouldDeleteQuietlyWhatIsAlreadyGone(@TempDir Path dir) throws Exception {
    Path gone = dir.resolve("never-made");
    TemporaryDirectory.deleteRecursively(gone);
    Path file = Files.writeString(dir.resolve("kept"), "x");
    TemporaryDirectory.deleteRecursively(dir.resolve("kept/not-a-directory"));
    assertEquals("x", Files.readString(file), "only what is named is deleted");
  }
}
