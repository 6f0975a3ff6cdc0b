package io.fraudstream.engine.cli;

import io.fraudstream.engine.EngineConfig;
import io.fraudstream.engine.FraudEngine;
import io.fraudstream.engine.TemporaryDirectory;
import io.fraudstream.engine.answer.DecideEndpoint;
import io.fraudstream.engine.console.Console;
import io.fraudstream.engine.console.Operators;
import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.features.EntityState;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import io.fraudstream.models.Evaluation;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.TrainerSpec;
import io.fraudstream.models.data.DatasetReader;
import io.fraudstream.models.data.SyntheticGenerator;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole system on one machine: train a model, start a broker and the engine, feed payments
 * in, show alerts as they happen and summarise what the engine decided against the labels.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Train a model, start an embedded Kafka broker and the engine, feed labelled payments and summarise.")
final class DemoCommand implements Callable<Integer> {

  @Mixin
  EngineOptions engine;

  /** A dataset to use instead of synthetic data; without one, the demo generates its own. */
  @Mixin
  DatasetOptions data;

  @Option(names = "--users", defaultValue = "1000", description = "synthetic users fed to the engine (default ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--days", defaultValue = "14", description = "days of synthetic payments fed to the engine (default ${DEFAULT-VALUE})")
  int days;

  @Option(names = "--seed", defaultValue = "2", description = "seed of the fed synthetic payments (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--train-users", defaultValue = "1000",
      description = "synthetic users to train on (default ${DEFAULT-VALUE}); keep it near --users, since merchant activity scales with the population")
  int trainUsers;

  @Option(names = "--train-days", defaultValue = "30",
      description = "days to train on: synthetic history, or the days before the fed ones with --dataset (default ${DEFAULT-VALUE})")
  int trainDays;

  @Option(names = "--feed-days", defaultValue = "7", description = "with --dataset, the last days fed to the engine (default ${DEFAULT-VALUE})")
  int feedDays;

  @Option(names = "--rate", defaultValue = "1000", description = "payments per second fed to the engine, 0 for as fast as possible (default ${DEFAULT-VALUE})")
  int rate;

  @Option(names = "--warm-up", defaultValue = "20000",
      description = "training payments run first through a scratch engine on topics of its own, not counted, so that the"
          + " timed feed meets compiled code, as a long-running engine does; 0 to skip (default ${DEFAULT-VALUE})")
  int warmUp;

  @Option(names = "--show-alerts", defaultValue = "6",
      description = "alerts to print as they happen, half of them BLOCKs when there are (default ${DEFAULT-VALUE})")
  int showAlerts;

  @Option(names = "--label-delay-days", defaultValue = "7",
      description = "entity risk counts confirmed frauds only for payments at least this many days old; saved in the model (default ${DEFAULT-VALUE})")
  int labelDelayDays;

  @Option(names = "--save-model", defaultValue = "target/fraudstream-demo/model.bundle",
      description = "where to save the trained model bundle, for 'fraudstream run --model' (default ${DEFAULT-VALUE})")
  Path saveModel;

  @Option(names = "--console-port", defaultValue = "8090",
      description = "port of the analyst console on 127.0.0.1, 0 for any free one, -1 for none (default ${DEFAULT-VALUE}; a free one when taken)")
  int consolePort;

  @Option(names = "--trainer",
      description = "the model to train: logistic, random-forest or xgboost, with settings as for train (default: xgboost with"
          + " --dataset, where trees pay off on real histories, logistic on the synthetic data, where it does as well)")
  String trainer;

  @Option(names = "--no-backfill", negatable = false,
      description = "with --dataset, start the engine with empty state instead of backfilling the training days first")
  boolean noBackfill;

  @Option(names = "--no-challenge-answers", negatable = false,
      description = "leave every challenge unanswered, as before the step-up loop was closed, to compare the friction")
  boolean noChallengeAnswers;

  @Option(names = "--stay", description = "keep the engine and the console running after the summary, until Ctrl-C")
  boolean stay;

  private final PrintStream out = System.out;

  /** The demo's policy beside the model: what two failed verifications in a day mean. */
  static final String DEMO_RULES = "when failed_challenges_24h >= 2 then block \"two failed verifications in 24 hours\"\n";

  @Override
  public Integer call() throws Exception {
    // A fresh demo's internal topics do not exist until Kafka Streams creates them, and the
    // clients' first metadata requests warn of each. A newcomer can do nothing about it; an
    // operator of "run" on a real cluster keeps these warnings, which also tell of a broker not there.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
    // The embedded broker creates __transaction_state on the first transactional producer's
    // request, and warns when two ask at once (the warm-up's and the engine's); nothing is wrong.
    System.setProperty("org.slf4j.simpleLogger.log.kafka.server.DefaultAutoTopicCreationManager", "error");
    validate();
    String secret = randomSecret();
    long started = System.nanoTime();
    out.println("== 1. Training a model");
    DemoData split = prepareData();
    ModelBundle bundle = train(split, secret);
    out.println("== 2. Starting Kafka and the engine");
    // The engine's state (unless --state-dir names a place), the rules file and the warm-up's
    // state live in one directory made for this run, and go with it, also after Ctrl-C with --stay.
    try (ShutdownGate gate = new ShutdownGate(); TemporaryDirectory scratch = TemporaryDirectory.create("fraudstream-demo-")) {
      EngineConfig config = engine.toConfig(scratch.path().resolve("state"), secret);
      Path rules = scratch.path().resolve("demo.rules");
      Files.writeString(rules, DEMO_RULES);
      // Metrics, health and the decide endpoint on this machine only, on a free port.
      config = config.withServing(new EngineConfig.Serving(null, null, rules, config.serving().reloadInterval(), "127.0.0.1", 0));
      out.println("   rules: " + DEMO_RULES.strip() + "; a failed challenge on its own: " + config.challenges().onFailed().name()
          .toLowerCase(Locale.ROOT));
      try (EmbeddedKafkaBroker broker = config.bootstrapServers() == null ? EmbeddedKafkaBroker.startTemporary() : null) {
        if (broker != null) {
          config = config.withBootstrapServers(broker.bootstrapServers());
          out.println("   embedded KRaft broker at " + broker.bootstrapServers());
          warmUp(config, bundle, split.training(), scratch.path().resolve("warm-up"));
        } else if (warmUp > 0) {
          out.println("   no warm-up on an external cluster (it would create topics there); the first seconds run on cold code");
        }
        run(config, bundle, split, secret, gate);
      }
    }
    out.printf(Locale.ROOT, "   demo finished in %.1f s%n", (System.nanoTime() - started) / 1e9);
    return 0;
  }

  /** The payments to train on and to feed, and the name the model's provenance gives them. */
  private record DemoData(List<Transaction> training, List<Transaction> feed, String name) {}

  private DemoData prepareData() throws IOException {
    if (data.dataset != null) {
      List<Transaction> all = DatasetReader.read(data.dataset, data.mapping()).stream()
          .sorted(Comparator.comparing(Transaction::timestamp)).toList();
      Instant end = all.get(all.size() - 1).timestamp();
      Instant feedFrom = end.minus(Duration.ofDays(feedDays));
      Instant trainFrom = feedFrom.minus(Duration.ofDays(trainDays));
      List<Transaction> training = all.stream().filter(tx -> tx.timestamp().isBefore(feedFrom) && !tx.timestamp().isBefore(trainFrom)).toList();
      List<Transaction> feed = all.stream().filter(tx -> !tx.timestamp().isBefore(feedFrom)).toList();
      String name = data.dataset.getFileName() + " " + trainFrom + " .. " + feedFrom;
      out.printf(Locale.ROOT, "   read %,d payments from %s; training on %d days (%,d payments), feeding the last %d days (%,d)%n",
          all.size(), data.dataset, trainDays, training.size(), feedDays, feed.size());
      return new DemoData(training, feed, name);
    }
    // The training history holds the app's step-up verifications and how they ended, so that the
    // model learns what a verified device or a failed verification says; the feed's are answered live.
    List<Transaction> training = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(trainUsers, trainDays, seed + 1000)
        .withChallenges(true));
    List<Transaction> feed = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(users, days, seed));
    String name = "synthetic users=" + trainUsers + " days=" + trainDays + " seed=" + (seed + 1000);
    out.printf(Locale.ROOT, "   generated %,d training payments (%,d users x %d days) and %,d to feed (%,d users x %d days)%n",
        training.size(), trainUsers, trainDays, feed.size(), users, days);
    return new DemoData(training, feed, name);
  }

  private ModelBundle train(DemoData split, String secret) throws IOException {
    Duration labelDelay = Duration.ofDays(labelDelayDays);
    List<FeatureRow> rows = OfflineReplay.replay(split.training(), secret.getBytes(StandardCharsets.UTF_8), labelDelay);
    TrainerSpec spec = TrainerSpec.parse(trainer != null ? trainer : data.dataset != null ? "xgboost" : "logistic");
    out.println("   trainer: " + spec);
    ModelBundle bundle = ModelTrainer.train(rows, ModelTrainer.Settings.defaults(split.name()).withLabelDelay(labelDelay).withTrainer(spec));
    bundle.save(saveModel);
    Map<String, Double> metrics = bundle.manifest().metrics();
    out.printf(Locale.ROOT, "   model %s: held-out AUC %.3f, average precision %.3f; CHALLENGE at score %.3f, BLOCK at %.3f%n",
        bundle.version(), metrics.get("auc_roc"), metrics.get("average_precision"),
        bundle.thresholds().challenge(), bundle.thresholds().block());
    out.println("   saved to " + saveModel);
    return bundle;
  }

  /** Starts the engine, backfills it with a dataset's training days, feeds it and summarises what it decided. */
  private void run(EngineConfig config, ModelBundle bundle, DemoData split, String secret, ShutdownGate gate) throws Exception {
    List<Transaction> payments = split.feed();
    try (FraudEngine running = FraudEngine.start(config, bundle, Duration.ofMinutes(2));
         DemoChallenges answers = noChallengeAnswers ? null : new DemoChallenges(config, seed);
         DemoOutputReader reader = new DemoOutputReader(config, showAlerts, out, answers);
         Console console = startConsole(config, bundle)) {
      out.printf(Locale.ROOT, "   engine running (%s, commit interval %d ms)%n", config.processingGuarantee(), config.commitInterval().toMillis());
      reader.awaitReady(Duration.ofSeconds(30));
      boolean backfilled = data.dataset != null && !noBackfill;
      if (backfilled) {
        backfill(config, split.training());
      } else if (data.dataset != null) {
        out.println("   no backfill (--no-backfill): the engine starts with empty state, so early fed payments see every customer as new");
      }
      out.println("== 3. Feeding payments into '" + config.topics().transactions() + "'");
      URI decide = URI.create("http://127.0.0.1:" + running.httpPort() + DecideEndpoint.PATH);
      out.println("   a tenth of the users pay through " + decide + ", the rest straight into the topic");
      DemoFeeder.Fed fed = new DemoFeeder(config, rate, out).feed(payments, reader::sent, decide);
      reader.awaitDecisions(fed.valid(), fed.malformed(), Duration.ofMinutes(2));
      out.println("== 4. Summary");
      DemoSummary summary = new DemoSummary(out, rate, labelDelayDays);
      summary.live(fed, reader.summary(), payments);
      summary.stepUp(reader.summary(), payments.size(), answers);
      if (data.dataset != null) {
        summariseOffline(reader.summary(), bundle, split, secret, backfilled);
      }
      summary.drift(running.registry());
      if (stay && console != null) {
        gate.awaitStop(() -> out.println("   the engine and the console at " + console.address() + " keep running; Ctrl-C to stop"));
      }
    }
  }

  /**
   * The analyst console on this machine, with one operator whose token is made up for this run and
   * printed, since the demo's state does not outlive it; {@code null} with {@code --console-port -1}.
   */
  private Console startConsole(EngineConfig config, ModelBundle bundle) {
    if (consolePort < 0) {
      return null;
    }
    String token = randomSecret();
    Operators operators = Operators.parse("demo:" + token);
    IntFunction<Console.Settings> on = port -> new Console.Settings("127.0.0.1", port, config.topics(), "console-audit", "cases", 10_000, 100_000,
        Duration.ZERO);
    Console console;
    try {
      console = Console.start(config.clientProperties(), on.apply(consolePort), operators, List.of(bundle), List.of());
    } catch (UncheckedIOException e) {
      out.println("   port " + consolePort + " is taken; the console serves on a free one");
      console = Console.start(config.clientProperties(), on.apply(0), operators, List.of(bundle), List.of());
    }
    out.println("   analyst console at " + console.address() + " (sign in with operator token " + token + ")");
    return console;
  }

  private void validate() {
    if (rate < 0) {
      throw new IllegalArgumentException("--rate must be 0 (unlimited) or more, got " + rate);
    }
    if (warmUp < 0) {
      throw new IllegalArgumentException("--warm-up must be 0 (none) or more payments, got " + warmUp);
    }
    if (feedDays < 1 || trainDays < 2) {
      throw new IllegalArgumentException("--feed-days must be at least 1 and --train-days at least 2");
    }
    try {
      EntityState.checkLabelDelay(Duration.ofDays(labelDelayDays));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--label-delay-days: " + e.getMessage());
    }
  }

  /**
   * Brings the engine's state up to the start of the feed from the training days, as {@code
   * fraudstream backfill} would: every customer and terminal is then known, and its labels old
   * enough, as the offline replay that trained the model had them.
   */
  private void backfill(EngineConfig config, List<Transaction> training) throws Exception {
    out.printf(Locale.ROOT, "   backfilling the training days (%,d payments, with their labels) into '%s'; decided by no one%n",
        training.size(), config.topics().backfill());
    Backfill.Result result = new Backfill(config.clientProperties(), config.applicationId(), config.topics(), out)
        .run(training::forEach, training.size(), null, Duration.ofMinutes(30));
    out.printf(Locale.ROOT, "   backfilled %,d payments (%,d frauds) in %.1f s (%,.0f/s)%n", result.sent(), result.frauds(), result.seconds(),
        result.rate());
  }

  /**
   * The fed week scored offline, from the same history the engine was backfilled with: what the
   * training protocol promises, beside what the engine did live.
   */
  private void summariseOffline(DemoOutputReader.Summary read, ModelBundle bundle, DemoData split, String secret, boolean backfilled) {
    List<Transaction> history = new ArrayList<>(split.training().size() + split.feed().size());
    history.addAll(split.training());
    history.addAll(split.feed());
    List<FeatureRow> rows = OfflineReplay.replay(history, secret.getBytes(StandardCharsets.UTF_8), Duration.ofDays(labelDelayDays));
    List<FeatureRow> week = rows.subList(split.training().size(), rows.size());
    ModelScorer scorer = new ModelScorer(bundle);
    double[] scores = week.stream().mapToDouble(row -> scorer.probability(row.features())).toArray();
    Evaluation.Metrics offline = Evaluation.Metrics.of(week, scores, bundle.thresholds());
    long fraud = split.feed().stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count();
    out.printf(Locale.ROOT, "   offline, same week    CHALLENGE or BLOCK precision %.2f, recall %.2f; BLOCK precision %.2f, recall %.2f%n",
        offline.challenge().precision(), offline.challenge().recall(), offline.block().precision(), offline.block().recall());
    out.printf(Locale.ROOT, "   live beside it        CHALLENGE or BLOCK recall %.2f, BLOCK recall %.2f (%s)%n",
        (double) read.flaggedFraud() / Math.max(1, fraud), (double) read.blockedFraud() / Math.max(1, fraud),
        backfilled ? "the engine backfilled with the training days" : "the engine started with empty state");
  }

  /** A fresh hash secret, for runs whose state does not outlive them. */
  static String randomSecret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Runs the last {@code --warm-up} training payments through a scratch engine, with its own
   * application id, topics and state, and waits for their decisions. A new JVM runs the payment
   * path interpreted at first and compiles it while it runs; on two cores, with the broker and
   * the feed in the same JVM, that takes tens of seconds, and a feed started cold falls behind and
   * never shows how the engine runs. Nothing of the scratch run reaches the demo's engine.
   */
  private void warmUp(EngineConfig config, ModelBundle bundle, List<Transaction> training, Path stateDir) throws Exception {
    if (warmUp == 0) {
      return;
    }
    List<Transaction> payments = training.subList(Math.max(0, training.size() - warmUp), training.size());
    EngineConfig scratch = config.withApplication(config.applicationId() + "-warm-up", config.topics().prefixed("warm-up-"), stateDir);
    long started = System.nanoTime();
    try (FraudEngine warm = FraudEngine.start(scratch, bundle, Duration.ofMinutes(2));
         KafkaProducer<String, byte[]> producer = new KafkaProducer<>(scratch.clientProperties(), new StringSerializer(),
             new ByteArraySerializer())) {
      for (Transaction tx : payments) {
        producer.send(new ProducerRecord<>(scratch.topics().transactions(), tx.user(), TransactionJson.write(tx)));
      }
      producer.flush();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (decided(warm) < payments.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the warm-up engine decided only " + (long) decided(warm) + " of " + payments.size()
              + " payments in 2 minutes");
        }
        Thread.sleep(50);
      }
    }
    out.printf(Locale.ROOT, "   warmed up: %,d training payments through a scratch engine on 'warm-up-*' topics in %.1f s (not counted)%n",
        payments.size(), (System.nanoTime() - started) / 1e9);
  }

  private static double decided(FraudEngine engine) {
    return engine.registry().find("fraudstream.decisions").counters().stream().mapToDouble(Counter::count).sum();
  }
}
