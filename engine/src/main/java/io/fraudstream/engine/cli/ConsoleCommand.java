package io.fraudstream.engine.cli;

import io.fraudstream.engine.console.Console;
import io.fraudstream.engine.console.Operators;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.models.ModelBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Serves the analyst console until stopped, apart from the engine instances, against their cluster and topics. */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = "Serve the analyst console: the alert queue, each payment's reasons, labels and blocks, in the browser.")
final class ConsoleCommand implements Callable<Integer> {

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--host", defaultValue = "${env:FRAUDSTREAM_CONSOLE_HOST:-127.0.0.1}",
      description = "address to serve on (default ${DEFAULT-VALUE}: this machine only)")
  String host;

  @Option(names = "--port", defaultValue = "${env:FRAUDSTREAM_CONSOLE_PORT:-8090}", description = "port to serve on, 0 for any free one (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--operators-file", defaultValue = "${env:FRAUDSTREAM_CONSOLE_OPERATORS_FILE}",
      description = "a file of name:token lines, the operators allowed to act; or set FRAUDSTREAM_CONSOLE_OPERATORS=name:token,…"
          + " (without either, the console is read-only)")
  Path operatorsFile;

  @Option(names = "--model", description = "model bundles, to re-derive the decisions they made; repeatable")
  List<Path> models = new ArrayList<>();

  @Option(names = "--rules", description = "rules files, to re-derive the decisions made under them; repeatable")
  List<Path> rules = new ArrayList<>();

  @Option(names = "--hash-secret", defaultValue = "${env:FRAUDSTREAM_HASH_SECRET}",
      description = "the engine's hash secret, to read the rules' device and country lists (env FRAUDSTREAM_HASH_SECRET)")
  String hashSecret;

  @Option(names = "--decisions-topic", defaultValue = "decisions", description = "default ${DEFAULT-VALUE}")
  String decisionsTopic;

  @Option(names = "--labels-topic", defaultValue = "labels", description = "default ${DEFAULT-VALUE}")
  String labelsTopic;

  @Option(names = "--blocks-topic", defaultValue = "blocks", description = "default ${DEFAULT-VALUE}")
  String blocksTopic;

  @Option(names = "--audit-topic", defaultValue = "${env:FRAUDSTREAM_CONSOLE_AUDIT_TOPIC:-console-audit}",
      description = "where every operator action is recorded, with who and when (default ${DEFAULT-VALUE})")
  String auditTopic;

  @Option(names = "--cases-topic", defaultValue = "${env:FRAUDSTREAM_CONSOLE_CASES_TOPIC:-cases}",
      description = "the compacted topic the cases live on, shared by every console of the engine (default ${DEFAULT-VALUE})")
  String casesTopic;

  @Option(names = "--queue-size", defaultValue = "10000", description = "CHALLENGE and BLOCK decisions held, newest kept (default ${DEFAULT-VALUE})")
  int queueSize;

  @Option(names = "--users", defaultValue = "100000", description = "users whose usual feature values are remembered (default ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--look-back-hours", defaultValue = "0",
      description = "at start, read decisions and labels of payments made within this many hours; 0 reads all the topics retain,"
          + " as replayed history needs, since records carry their payment's time (default ${DEFAULT-VALUE})")
  int lookBackHours;

  @Override
  public Integer call() throws Exception {
    if (lookBackHours < 0) {
      throw new IllegalArgumentException("--look-back-hours must be 0 or more, got " + lookBackHours);
    }
    Operators operators = TokenFiles.load(operatorsFile, "--operators-file", "FRAUDSTREAM_CONSOLE_OPERATORS");
    List<ModelBundle> bundles = models.stream().map(ModelBundle::load).toList();
    List<Rules> ruleSets = new ArrayList<>();
    if (!rules.isEmpty()) {
      if (hashSecret == null || hashSecret.isBlank()) {
        throw new IllegalArgumentException("--rules needs --hash-secret (or FRAUDSTREAM_HASH_SECRET) so their device and country lists read as the engine's do");
      }
      IdentifierHasher hasher = new IdentifierHasher(hashSecret);
      rules.forEach(file -> ruleSets.add(Rules.load(file, hasher)));
    }
    Topics defaults = Topics.defaults();
    Topics topics = new Topics(defaults.transactions(), decisionsTopic, defaults.alerts(), blocksTopic, defaults.deadLetters(), labelsTopic,
        defaults.erasures(), defaults.entityRisk(), defaults.challengeResults(), defaults.backfill());
    Console.Settings settings = new Console.Settings(host, port, topics, auditTopic, casesTopic, queueSize, users, Duration.ofHours(lookBackHours));
    try (ShutdownGate gate = new ShutdownGate();
         Console console = Console.start(cluster.producerProperties("the console"), settings, operators, bundles, ruleSets)) {
      gate.awaitStop(() -> System.out.println("console at " + console.address()
          + (operators.any() ? "" : " (read-only: no operator configured)")));
    }
    return 0;
  }
}
