package io.fraudstream.features;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checked-in stored formats under {@code golden/} in the test resources: read by the tests,
 * and written again only when {@code -Dfraudstream.golden.write=src/test/resources/golden} says so.
 */
public final class GoldenFiles {

  private static final String WRITE = System.getProperty("fraudstream.golden.write");

  private GoldenFiles() {}

  /** Writes {@code bytes} as the golden file {@code name} when asked to; otherwise does nothing. */
  public static void write(String name, byte[] bytes) throws IOException {
    if (WRITE != null) {
      Files.write(Path.of(WRITE).resolve(name), bytes);
    }
  }

  /** The checked-in golden file {@code name}. */
  public static byte[] read(String name) throws IOException {
    try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new AssertionError("golden file " + name + " is missing: write it with -Dfraudstream.golden.write=src/test/resources/golden");
      }
      return in.readAllBytes();
    }
  }
}
