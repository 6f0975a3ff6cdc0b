package io.fraudstream.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory made for one run of a command and deleted, with everything in it, when the run
 * ends: the embedded broker's log, and the engine's local state when no {@code --state-dir} is
 * given. Local state is a copy of the changelog topics, so deleting it loses nothing; leaving it
 * would leave one directory in the system's temporary directory for every run.
 */
public final class TemporaryDirectory implements AutoCloseable {

  private final Path path;

  private TemporaryDirectory(Path path) {
    this.path = path;
  }

  /** A new, empty directory in the JVM's temporary directory ({@code java.io.tmpdir}), named from {@code prefix}. */
  public static TemporaryDirectory create(String prefix) {
    try {
      return new TemporaryDirectory(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory in " + System.getProperty("java.io.tmpdir") + " (java.io.tmpdir): "
          + e.getMessage(), e);
    }
  }

  public Path path() {
    return path;
  }

  /** Deletes the directory and everything in it. */
  @Override
  public void close() {
    deleteRecursively(path);
  }

  /**
   * Deletes {@code dir} and everything in it, as far as it can, without failing: it is called
   * while a command stops, when an error would hide the one that stopped it.
   */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A file that vanished or cannot be read is left to the system's cleaning of its temporary directory.
    }
  }
}
