package io.fraudstream.engine.cli;

import io.fraudstream.engine.console.Operators;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Named tokens, as the console's operators and the decide endpoint's callers are given: a file of lines, or a variable. */
final class TokenFiles {

  private TokenFiles() {}

  /**
   * From {@code file} ({@code name:token} lines, {@code #} comments), else from the environment
   * variable {@code variable} ({@code name:token,…}), else none.
   */
  static Operators load(Path file, String option, String variable) throws IOException {
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(option + " " + file + " is not a file");
      }
      return Operators.parse(String.join(",", Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList()));
    }
    return Operators.parse(System.getenv(variable));
  }
}
