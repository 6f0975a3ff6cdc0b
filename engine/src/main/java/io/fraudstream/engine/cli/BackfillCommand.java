package io.fraudstream.engine.cli;

import io.fraudstream.engine.topology.Topics;
import io.fraudstream.models.data.DatasetMapping;
import io.fraudstream.models.data.TimeOrderedDataset;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Brings a running engine's users' and entities' state up to a point in time from a dataset
 * (see {@link Backfill}), so that the payments after it are decided against their history.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = "Bring a running engine's state up to a point in time from a dataset, deciding nothing, alerting no one.")
final class BackfillCommand implements Callable<Integer> {

  @Mixin
  DatasetOptions input;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--until", converter = PointInTime.class,
      description = "apply the payments before this day (UTC, yyyy-mm-dd) or instant (ISO-8601); the live feed decides those from"
          + " it on (default: the whole dataset)")
  Instant until;

  @Option(names = "--application-id", defaultValue = "${env:FRAUDSTREAM_APPLICATION_ID:-fraudstream}",
      description = "the engine's application id, whose progress is awaited (default ${DEFAULT-VALUE})")
  String applicationId;

  @Option(names = "--backfill-topic", defaultValue = "${env:FRAUDSTREAM_BACKFILL_TOPIC:-backfill}",
      description = "the topic the engine reads history from (default ${DEFAULT-VALUE})")
  String backfillTopic;

  @Option(names = "--timeout-minutes", defaultValue = "60",
      description = "how long to wait for the engine to apply the history; 0 to send and not wait (default ${DEFAULT-VALUE})")
  long timeoutMinutes;

  @Option(names = "--temp-dir", defaultValue = "${sys:java.io.tmpdir}",
      description = "where a dataset out of time order is sorted, about its own size (default ${DEFAULT-VALUE})")
  Path temporaryDirectory;

  @Override
  public Integer call() throws Exception {
    if (timeoutMinutes < 0) {
      throw new IllegalArgumentException("--timeout-minutes must be 0 (do not wait) or more, got " + timeoutMinutes);
    }
    DatasetMapping mapping = input.mapping();
    Properties props = cluster.clientProperties("backfill");
    TimeOrderedDataset dataset = ReplayCommand.orderedDataset(input.dataset, mapping, temporaryDirectory);
    Backfill backfill = new Backfill(props, applicationId, Topics.defaults().withBackfill(backfillTopic), System.out);
    Backfill.Result result = backfill.run(each -> dataset.forEach(TimeOrderedDataset.DEFAULT_CHUNK_ROWS, temporaryDirectory, each),
        dataset.payments(), until, Duration.ofMinutes(timeoutMinutes));
    System.out.printf(Locale.ROOT, "backfilled %,d payments (%,d labelled fraud, %,d with a challenge outcome) to %s in %.1f s (%,.0f/s)%s%n",
        result.sent(), result.frauds(), result.challenged(), backfillTopic, result.seconds(), result.rate(),
        result.skippedAfterUntil() == 0 ? "" : String.format(Locale.ROOT, "; %,d payments from %s on left to the live feed",
            result.skippedAfterUntil(), until));
    if (timeoutMinutes == 0) {
      System.out.println("not waiting for the engine to apply them (--timeout-minutes 0)");
    } else {
      System.out.println("the engine's state is up to " + (until == null ? "the dataset's end" : until)
          + "; payments from then on are decided live");
    }
    return 0;
  }

  /** A day (UTC midnight) or an instant. */
  static final class PointInTime implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String text) {
      try {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notADay) {
        try {
          return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
          throw new IllegalArgumentException("expected a day such as 2018-09-01 or an instant such as 2018-09-01T12:00:00Z, got '"
              + text + "'");
        }
      }
    }
  }
}
