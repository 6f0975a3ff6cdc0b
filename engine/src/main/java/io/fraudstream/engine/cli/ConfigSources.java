package io.fraudstream.engine.cli;

import io.fraudstream.features.Spelling;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where option values come from when no flag gives them, in this order: the environment
 * ({@code --grace-ms} is {@code FRAUDSTREAM_GRACE_MS}), then the config file
 * ({@code grace-ms=500}), then the option's default. Kafka client settings come the same way:
 * {@code kafka.security.protocol=SASL_SSL} in the file, {@code FRAUDSTREAM_KAFKA_SECURITY_PROTOCOL}
 * in the environment, {@code --kafka-property security.protocol=SASL_SSL} on the command line;
 * a flag wins over the environment, which wins over the file.
 *
 * <p>The file is named by {@code --config FILE} or {@code FRAUDSTREAM_CONFIG}; a key in it that no
 * command knows is refused, so a typo cannot silently leave a setting at its default.
 */
final class ConfigSources implements IDefaultValueProvider {

  static final String ENV_PREFIX = "FRAUDSTREAM_";
  static final String KAFKA_ENV_PREFIX = "FRAUDSTREAM_KAFKA_";
  static final String KAFKA_FILE_PREFIX = "kafka.";
  /** Environment variables that are options themselves, not Kafka settings, despite the prefix. */
  private static final String KAFKA_PROPERTY_OPTION = "FRAUDSTREAM_KAFKA_PROPERTY";

  private final Map<String, String> environment;
  private final Path file;
  private final Properties fileValues = new Properties();

  private ConfigSources(Map<String, String> environment, Path file) {
    this.environment = environment;
    this.file = file;
  }

  /** Reads the config file named in {@code args} or the environment, if any. */
  static ConfigSources of(String[] args, Map<String, String> environment) {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = Path.of(args[i + 1]);
      } else if (args[i].startsWith("--config=")) {
        file = Path.of(args[i].substring("--config=".length()));
      }
    }
    if (file == null && environment.get(ENV_PREFIX + "CONFIG") != null) {
      file = Path.of(environment.get(ENV_PREFIX + "CONFIG"));
    }
    ConfigSources sources = new ConfigSources(environment, file);
    if (file != null) {
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        sources.fileValues.load(in);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("cannot read the config file " + file + ": it does not exist (given by --config or FRAUDSTREAM_CONFIG)");
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the config file " + file + ": " + e.getMessage());
      }
    }
    return sources;
  }

  /** The environment variable of an option: {@code --grace-ms} is {@code FRAUDSTREAM_GRACE_MS}. */
  static String environmentName(String longOption) {
    return ENV_PREFIX + longOption.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option) || !option.longestName().startsWith("--") || option.isMultiValue()) {
      return null;
    }
    String fromEnvironment = environment.get(environmentName(option.longestName()));
    if (fromEnvironment != null) {
      return fromEnvironment;
    }
    return fileValues.getProperty(option.longestName().substring(2));
  }

  /** Kafka settings from the file, then the environment, then {@code flags}, later ones winning. */
  Map<String, String> kafkaSettings(Map<String, String> flags) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String key : fileValues.stringPropertyNames()) {
      if (key.startsWith(KAFKA_FILE_PREFIX)) {
        settings.put(key.substring(KAFKA_FILE_PREFIX.length()), fileValues.getProperty(key));
      }
    }
    environment.forEach((name, value) -> {
      if (name.startsWith(KAFKA_ENV_PREFIX) && !name.equals(KAFKA_PROPERTY_OPTION)) {
        settings.put(name.substring(KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    settings.putAll(flags);
    return settings;
  }

  /** The Kafka settings of the command being run, whose default provider is a {@code ConfigSources}. */
  static Map<String, String> kafkaSettings(CommandLine.Model.CommandSpec spec, Map<String, String> flags) {
    return spec.commandLine().getDefaultValueProvider() instanceof ConfigSources sources ? sources.kafkaSettings(flags) : flags;
  }

  /** Refuses file keys that name no option of any command, with the closest one. */
  void checkFileKeys(CommandLine root) {
    TreeSet<String> known = new TreeSet<>();
    collectOptions(root, known);
    List<String> unknown = new ArrayList<>();
    for (String key : fileValues.stringPropertyNames()) {
      if (!key.startsWith(KAFKA_FILE_PREFIX) && !known.contains(key)) {
        unknown.add("'" + key + "'" + Spelling.closest(key, known).map(guess -> " (did you mean " + guess + "?)").orElse(""));
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("the config file " + file + " has unknown settings " + String.join(", ", unknown)
          + "; keys are option names without the dashes, and kafka.<setting> for Kafka clients");
    }
  }

  private static void collectOptions(CommandLine command, TreeSet<String> known) {
    for (OptionSpec option : command.getCommandSpec().options()) {
      if (option.longestName().startsWith("--")) {
        known.add(option.longestName().substring(2));
      }
    }
    command.getSubcommands().values().forEach(sub -> collectOptions(sub, known));
  }
}
