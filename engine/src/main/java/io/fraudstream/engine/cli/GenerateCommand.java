package io.fraudstream.engine.cli;

import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.DatasetWriter;
import io.fraudstream.models.data.SyntheticGenerator;
import io.fraudstream.models.data.SyntheticGenerator.FraudPattern;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The synthetic generator as a command, writing fraudstream's CSV for demos and load tests. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Write seeded synthetic labelled payments as CSV (the 'fraudstream' format).")
final class GenerateCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "file to write; .gz compresses")
  Path out;

  @Option(names = "--users", defaultValue = "1000", description = "users (default ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--days", defaultValue = "30", description = "days of payments (default ${DEFAULT-VALUE})")
  int days;

  @Option(names = "--seed", defaultValue = "1", description = "random seed; the same seed gives the same file (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--start", defaultValue = "2024-01-01", description = "first day, UTC (default ${DEFAULT-VALUE})")
  LocalDate start;

  @Option(names = "--fraud-share", defaultValue = "0.08", description = "share of users hit by one fraud episode (default ${DEFAULT-VALUE})")
  double fraudShare;

  @Option(names = "--patterns", split = ",", defaultValue = "CARD_TESTING,ACCOUNT_TAKEOVER,AMOUNT_SPIKE",
      description = "fraud kinds to plant, comma-separated: ${COMPLETION-CANDIDATES} (default: all)")
  List<FraudPattern> patterns;

  @Option(names = "--no-challenges", negatable = false,
      description = "leave out the 'challenge' column: how the app's step-up verification of payments from untrusted devices ended")
  boolean noChallenges;

  @Override
  public Integer call() throws Exception {
    Instant from = start.atStartOfDay(ZoneOffset.UTC).toInstant();
    SyntheticGenerator.Settings settings = new SyntheticGenerator.Settings(users, days, seed, fraudShare, from, patterns, !noChallenges);
    List<Transaction> payments = SyntheticGenerator.generate(settings);
    long written = DatasetWriter.write(out, payments);
    long frauds = payments.stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count();
    System.out.printf(Locale.ROOT, "wrote %,d payments (%,d fraud) of %,d users over %d days to %s%n", written, frauds, users, days, out);
    return 0;
  }
}
