package io.fraudstream.engine.cli;

import io.fraudstream.models.ModelBundleException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code fraudstream} command. */
@Command(name = "fraudstream", mixinStandardHelpOptions = true, version = "fraudstream 0.1.0",
    description = "Streaming fraud detection for payments on Kafka Streams.",
    subcommands = {DemoCommand.class, RunCommand.class, EraseCommand.class, GenerateCommand.class, ReplayCommand.class,
        TrainCommand.class, EvaluateCommand.class, BacktestCommand.class, ExplainCommand.class, UnblockCommand.class,
        ConsoleCommand.class, BackfillCommand.class, MonitorCommand.class})
public final class FraudstreamCli {

  // Tribuo logs every training epoch at INFO through java.util.logging; a strong reference keeps the level.
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  private FraudstreamCli() {}

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "settings file: option names without dashes as keys (grace-ms=500), kafka.<setting> for Kafka clients; "
          + "the environment (FRAUDSTREAM_<OPTION>, FRAUDSTREAM_KAFKA_<SETTING>) overrides it and flags override both (env FRAUDSTREAM_CONFIG)")
  Path config;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * The command line with its settings sources: the config file named in {@code args} or the
   * environment, checked for unknown keys.
   */
  static CommandLine commandLine(Map<String, String> environment, String... args) {
    CommandLine cli = new CommandLine(new FraudstreamCli());
    ConfigSources sources = ConfigSources.of(args, environment);
    cli.setDefaultValueProvider(sources);
    sources.checkFileKeys(cli);
    return cli;
  }

  /** Runs the command line and returns its exit code: 0 done, 1 failed, 2 bad arguments. */
  public static int execute(String... args) {
    return execute(System.getenv(), args);
  }

  /** Runs the command line against the given environment. */
  static int execute(Map<String, String> environment, String... args) {
    TRIBUO_LOG.setLevel(Level.WARNING);
    CommandLine cli;
    try {
      cli = commandLine(environment, args);
    } catch (IllegalArgumentException e) {
      System.err.println("fraudstream: " + e.getMessage());
      return 2;
    }
    cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
      // Errors the user can fix get their message alone; anything else keeps its stack trace.
      if (error instanceof IllegalArgumentException || error instanceof IllegalStateException
          || error instanceof ModelBundleException || error instanceof IOException || error instanceof UncheckedIOException) {
        commandLine.getErr().println("fraudstream: " + error.getMessage());
        return 1;
      }
      throw error;
    });
    if (reportUnmatched(cli, args)) {
      return 2;
    }
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError e) {
      // What held the memory is unreachable once the stack has unwound, so the words can be printed.
      System.err.printf(Locale.ROOT, "fraudstream: out of memory: the Java heap (at most %,d MB) is too small for this command on "
          + "this data; give it more with FRAUDSTREAM_JAVA_OPTS=-Xmx<size> (for example -Xmx12g), or give it less data "
          + "(fewer days: --train-start, --train-days)%n", Runtime.getRuntime().maxMemory() >> 20);
      return 1;
    }
  }

  /**
   * Picocli lets a help option win over an unknown command or option ({@code backtest --help}
   * printed the usage and exited 0), so a script could not tell a typo from success. Any word it
   * did not recognise is reported here, with the nearest it knows, whatever else was asked.
   */
  private static boolean reportUnmatched(CommandLine cli, String... args) {
    ParseResult result;
    try {
      result = cli.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      return false; // execute reports it, with the same exit code 2
    }
    for (ParseResult each = result; each != null; each = each.subcommand()) {
      if (!each.unmatched().isEmpty()) {
        UnmatchedArgumentException error = new UnmatchedArgumentException(each.commandSpec().commandLine(), each.unmatched());
        cli.getErr().println("fraudstream: " + error.getMessage());
        UnmatchedArgumentException.printSuggestions(error, cli.getErr());
        return true;
      }
    }
    return false;
  }
}
