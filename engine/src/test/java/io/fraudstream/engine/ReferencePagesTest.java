package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.cli.FraudstreamCli;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.engine.topology.FraudTopology;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.StoredFormat;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.UserState;
import io.fraudstream.features.streams.BackfillProcessor;
import io.fraudstream.models.ModelBundle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The reference pages under {@code docs/reference}, generated from what the code defines (the
 * feature catalogue, the command line, the metrics, the topics, the stored formats), so that no
 * hand-kept figure can drift from it. Each page is compared with its checked-in copy; a page that
 * differs fails with the command that writes it again.
 */
class ReferencePagesTest {

  static final String UPDATE = "./mvnw -q -pl engine -am verify -Dtest=ReferencePagesTest -Dsurefire.failIfNoSpecifiedTests=false "
      + "-Dfraudstream.reference.write=true";
  private static final Path PAGES = Path.of(System.getProperty("fraudstream.root", ".."), "docs", "reference").toAbsolutePath().normalize();
  private static final String[] COUNTRIES = {"NL", "DE", "FR", "BE", "GB", "US", "ES", "IT", "PT", "PL"};
  private static final Pattern FORMAT_SPECIFIER = Pattern.compile("%[-0-9.]*[a-z]");

  @TestFactory
  Stream<DynamicTest> everyReferencePageIsWhatTheCodeDefines() {
    Map<String, Supplier<String>> pages = new LinkedHashMap<>();
    pages.put("features.md", ReferencePagesTest::features);
    pages.put("commands.md", ReferencePagesTest::commands);
    pages.put("metrics.md", ReferencePagesTest::metrics);
    pages.put("topics.md", ReferencePagesTest::topics);
    pages.put("formats.md", ReferencePagesTest::formats);
    return pages.entrySet().stream().map(page -> DynamicTest.dynamicTest(page.getKey(), () -> check(page.getKey(), page.getValue().get())));
  }

  @Test
  void everyMeterIsRegisteredByEngineMetricsSoThatThePageListsIt() throws IOException {
    Path main = Path.of("src", "main", "java");
    List<String> elsewhere = new ArrayList<>();
    try (Stream<Path> files = Files.walk(main)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("EngineMetrics.java")).toList()) {
        String source = Files.readString(file);
        if (source.matches("(?s).*(Counter|Gauge|Timer|DistributionSummary)\\.builder\\(.*") || source.contains("registry.counter(")) {
          elsewhere.add(file.toString());
        }
      }
    }
    assertEquals(List.of(), elsewhere, "meters are registered in EngineMetrics only, where the metrics page finds them");
    String source = Files.readString(main.resolve("io/fraudstream/engine/serving/EngineMetrics.java"));
    Set<String> named = new TreeSet<>();
    Matcher literal = Pattern.compile("\"(fraudstream\\.[a-z.]+)\"").matcher(source);
    while (literal.find()) {
      named.add(literal.group(1).replace('.', '_'));
    }
    String page = metrics();
    for (String name : named) {
      assertTrue(page.contains("`" + name), name + " is registered by EngineMetrics but missing from the metrics page");
    }
  }

  private static void check(String name, String generated) throws IOException {
    Path page = PAGES.resolve(name);
    if (Boolean.getBoolean("fraudstream.reference.write")) {
      Files.createDirectories(PAGES);
      Files.writeString(page, generated);
    }
    String checkedIn = Files.exists(page) ? Files.readString(page) : "";
    assertEquals(generated, checkedIn, "docs/reference/" + name + " differs from what the code defines; write it again with: " + UPDATE);
  }

  private static String header(String title, String source, String forWhom) {
    return "# " + title + "\n\n"
        + "<!-- Generated from " + source + " by ReferencePagesTest; do not edit. Update with: " + UPDATE + " -->\n\n"
        + forWhom + "\n\n";
  }

  static String features() {
    StringBuilder page = new StringBuilder(header("Feature catalogue", "Feature.all()",
        "For whoever reads a decision's features or trains a model: every feature the engine computes for a payment, in the "
            + "order of every model's inputs. How they are computed and why: [features](../features.md)."));
    page.append(Feature.count()).append(" features. *Raw* ones come from the payment's own columns, without history; ")
        .append("a model on those alone is the baseline. The last column is how the feature is worded when it is a reason on a ")
        .append("decision or alert (`…` is the value); a feature without one is context, never a reason.\n\n");
    page.append("| # | feature | what it measures | raw | as a reason |\n|---|---|---|---|---|\n");
    int position = 1;
    for (Feature feature : Feature.all()) {
      String reason = feature.reasonFormat() == null ? "" : FORMAT_SPECIFIER.matcher(feature.reasonFormat()).replaceAll("…");
      page.append("| ").append(position++).append(" | `").append(feature.featureName()).append("` | ")
          .append(cell(feature.description())).append(" | ").append(Feature.raw().contains(feature) ? "raw" : "").append(" | ")
          .append(cell(reason)).append(" |\n");
    }
    return page.toString();
  }

  static String commands() {
    CommandLine root = new CommandLine(FraudstreamCli.class);
    StringBuilder page = new StringBuilder(header("Command line", "the picocli annotations of FraudstreamCli",
        "For operators and data scientists: every `fraudstream` command, its options and their defaults. Every option can also "
            + "be set in a settings file (`--config FILE`, the option's name without dashes as key) or in the environment "
            + "(`FRAUDSTREAM_<OPTION>`, upper case, dashes as underscores); a flag overrides the environment, which overrides "
            + "the file. Kafka client settings go in the file as `kafka.<setting>` or in `FRAUDSTREAM_KAFKA_<SETTING>`."));
    for (CommandLine command : root.getSubcommands().values()) {
      CommandSpec spec = command.getCommandSpec();
      page.append("## `fraudstream ").append(spec.name()).append("`\n\n")
          .append(String.join(" ", spec.usageMessage().description())).append("\n\n");
      if (!spec.positionalParameters().isEmpty()) {
        page.append("| argument | description |\n|---|---|\n");
        for (PositionalParamSpec positional : spec.positionalParameters()) {
          page.append("| `").append(positional.paramLabel()).append("` | ").append(cell(String.join(" ", positional.description())))
              .append(" |\n");
        }
        page.append('\n');
      }
      page.append("| option | default | description |\n|---|---|---|\n");
      for (OptionSpec option : spec.options()) {
        if (option.usageHelp() || option.versionHelp()) {
          continue;
        }
        String names = String.join(", ", option.names()) + (option.typeInfo().isBoolean() ? "" : " " + option.paramLabel());
        String defaultValue = option.defaultValue() == null ? "" : "`" + option.defaultValue() + "`";
        page.append("| `").append(names).append("` | ").append(cell(defaultValue)).append(" | ")
            .append(cell(String.join(" ", option.description()))).append(" |\n");
      }
      page.append('\n');
    }
    return page.toString();
  }

  static String metrics() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineMetrics metrics = new EngineMetrics(registry);
    // The meters registered at their first use, each used once so that the registry shows them.
    metrics.deadLetter("transactions");
    metrics.recordError("deserialization");
    metrics.skipped("late");
    metrics.backfilled(BackfillProcessor.Applied.APPLIED);
    metrics.labelOfBackfilledPayment();
    metrics.unreadableState(FraudTopology.USER_STATE_STORE);
    metrics.answered("decided", 1_000_000);
    metrics.streamThreadReplaced();
    metrics.challengeIssued("new-device");
    metrics.challengeResult(ChallengeResult.Outcome.PASSED, "new-device", FeatureExtractor.Learned.APPLIED);
    metrics.modelInService("live", "v1", "trained");
    metrics.reload("model", "loaded");
    metrics.answersWaiting(() -> 0);
    metrics.answersRemembered(() -> 0);
    Map<String, String[]> families = new LinkedHashMap<>();
    Pattern help = Pattern.compile("# HELP (\\S+) (.*)");
    Pattern type = Pattern.compile("# TYPE (\\S+) (\\S+)");
    Pattern sample = Pattern.compile("([a-z_]+)\\{([^}]*)}.*");
    Map<String, Set<String>> labels = new LinkedHashMap<>();
    for (String line : registry.scrape().split("\n")) {
      Matcher m;
      if ((m = help.matcher(line)).matches() && m.group(1).startsWith("fraudstream_")) {
        families.computeIfAbsent(m.group(1), name -> new String[2])[1] = m.group(2);
      } else if ((m = type.matcher(line)).matches() && m.group(1).startsWith("fraudstream_")) {
        families.computeIfAbsent(m.group(1), name -> new String[2])[0] = m.group(2);
      } else if ((m = sample.matcher(line)).matches()) {
        for (String pair : m.group(2).split(",")) {
          String label = pair.substring(0, pair.indexOf('='));
          if (!label.equals("le") && !label.equals("quantile")) {
            labels.computeIfAbsent(familyOf(m.group(1), families.keySet()), name -> new TreeSet<>()).add(label);
          }
        }
      }
    }
    StringBuilder page = new StringBuilder(header("Metrics", "the engine's meter registry", "For operators: every metric the engine "
        + "serves on `/metrics` (Prometheus text format) beside Kafka Streams' own (`kafka_stream_*`, `kafka_consumer_*`, "
        + "`kafka_producer_*`, bound by Micrometer and described in Kafka's documentation). Dashboards and alert rules: "
        + "`docker/grafana`, `docker/prometheus`."));
    page.append("| metric | type | labels | description |\n|---|---|---|---|\n");
    families.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(family -> page.append("| `").append(family.getKey())
        .append("` | ").append(family.getValue()[0]).append(" | ").append(String.join(", ", labels.getOrDefault(family.getKey(), Set.of())))
        .append(" | ").append(cell(family.getValue()[1])).append(" |\n"));
    return page.toString();
  }

  /** The family a sample belongs to: its name without the suffix Prometheus adds (_bucket, _count, _sum, _max, _total). */
  private static String familyOf(String sample, Set<String> families) {
    return families.stream().filter(sample::startsWith).max((a, b) -> a.length() - b.length()).orElse(sample);
  }

  static String topics() {
    StringBuilder page = new StringBuilder(header("Topics", "Topics.described()", "For whoever integrates a payment service or "
        + "operates a cluster: every topic the engine reads or writes, under its default name. Every key is a UTF-8 string. The "
        + "engine creates missing topics at start; what a record looks like and what to set on a real cluster: "
        + "[integrate](../integrate.md), [operate](../operate.md). The console also writes `console-audit` (its `--audit-topic`), "
        + "keyed by operator, one record per action, and `cases` (its `--cases-topic`, compacted), keyed by case id, the whole "
        + "case per record ([console](../console.md#cases))."));
    page.append("| topic | written by | key | value | cleanup |\n|---|---|---|---|---|\n");
    for (Topics.Described topic : Topics.defaults().described()) {
      page.append("| `").append(topic.name()).append("` | ").append(cell(topic.writer())).append(" | ").append(cell(topic.key()))
          .append(" | ").append(cell(topic.value())).append(" | ").append(topic.compacted() ? "compact" : "delete").append(" |\n");
    }
    return page.toString();
  }

  static String formats() {
    StringBuilder page = new StringBuilder(header("Stored formats", "FraudTopology.storedFormats() and ModelBundle.storedFormat()",
        "For operators planning an upgrade or a disk: the versioned formats the engine keeps in its state stores, their "
            + "changelogs and its model bundles. A build writes one version and reads the ones listed; a version it does not "
            + "read is refused with a message (or, for a stored state, counted in `fraudstream_state_unreadable_total` and "
            + "started afresh), never misread. Upgrades: [operate](../operate.md#upgrades)."));
    page.append("| format | written | read |\n|---|---|---|\n");
    List<StoredFormat> formats = new ArrayList<>(FraudTopology.storedFormats());
    formats.add(ModelBundle.storedFormat());
    for (StoredFormat format : formats) {
      page.append("| ").append(format.name()).append(" | ").append(format.written()).append(" | ")
          .append(String.join(", ", format.read().stream().map(String::valueOf).toList())).append(" |\n");
    }
    int newUser = UserState.empty().toBytes().length;
    int fullUser = busiestUser().toBytes().length;
    int entity = EntityState.empty().toBytes().length;
    page.append("\n## Size\n\n")
        .append("A new user's state takes ").append(newUser).append(" B; it grows to at most ").append(fullUser)
        .append(" B, when every list of recent merchants, devices, addresses, countries, payees, payments and verified devices and payees is full. ")
        .append(String.format(Locale.ROOT, "10⁸ such users need about %.0f GB of state, and as much again in its changelog, ",
            fullUser * 1e8 / 1e9))
        .append("before RocksDB's compression. A device's or merchant's state takes ").append(entity).append(" B.\n");
    return page.toString();
  }

  /**
   * A user who has used more distinct merchants, devices, addresses, countries and payees than the
   * state keeps, and passed a challenge on each payment: every part of the state full.
   */
  private static UserState busiestUser() {
    IdentifierHasher hasher = new IdentifierHasher("reference-pages-secret-0123");
    FeatureExtractor extractor = new FeatureExtractor(hasher);
    UserState state = UserState.empty();
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 100; i++) {
      Transaction tx = Transaction.of("p" + i, start.plusSeconds(60L * i), "busy", 10 + i).toBuilder()
          .merchant("m" + i).device("d" + i).ip("10.0." + (i / 250) + "." + (i % 250)).country(COUNTRIES[i % COUNTRIES.length])
          .counterparty("payee" + i).location(52.0, 4.0).build();
      extractor.extract(state, hasher.pseudonymise(tx));
      FeatureExtractor.learnFromChallenge(state, tx.id(), ChallengeResult.Outcome.PASSED, tx.timestamp().toEpochMilli());
    }
    return state;
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
