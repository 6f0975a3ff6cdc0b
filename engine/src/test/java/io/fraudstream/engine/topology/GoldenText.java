package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checked-in text the code must still generate. A deliberate change writes the file again with
 * {@code -Dfraudstream.golden.write=src/test/resources/golden} and says so in its commit.
 */
final class GoldenText {

  private GoldenText() {}

  static void assertGenerates(String name, String generated) throws IOException {
    String write = System.getProperty("fraudstream.golden.write");
    if (write != null) {
      Files.writeString(Path.of(write).resolve(name), generated);
    }
    try (InputStream in = GoldenText.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new AssertionError("golden/" + name + " is missing: write it with -Dfraudstream.golden.write=src/test/resources/golden");
      }
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), generated, "golden/" + name);
    }
  }
}
