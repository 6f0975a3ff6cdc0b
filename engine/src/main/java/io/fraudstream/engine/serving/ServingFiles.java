package io.fraudstream.engine.serving;

import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.decision.ServingModel;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Pseudonymiser;
import io.fraudstream.models.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the files the engine serves from (the model bundle, the shadow bundle, the rules) and
 * puts a changed one in service without a restart. A file is checked whole before it replaces
 * anything: a bundle must load and pass {@link DecisionPolicy}'s checks, rules must parse. A file
 * that fails is refused with a logged reason and a {@code fraudstream.reloads} count, and what
 * was serving keeps serving. Payments being decided during a swap are decided by the old or the
 * new version, never by neither, and the decision records which.
 *
 * <p>Polling rather than a file-system watch service, because it works the same on every volume
 * type (container mounts, NFS) and a change is seen within one interval.
 */
public final class ServingFiles implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServingFiles.class);

  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "fraudstream-reload");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Watched> watched = new ArrayList<>();

  /** One file and what to do with it when it changes. */
  private static final class Watched {
    final String kind;
    final Path file;
    final Consumer<Path> load;
    Object stamp;

    Watched(String kind, Path file, Consumer<Path> load) {
      this.kind = kind;
      this.file = file;
      this.load = load;
      this.stamp = stampOf(file);
    }
  }

  private final EngineMetrics metrics;

  private ServingFiles(EngineMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Starts watching whichever of the paths are set; they were loaded once already at start.
   */
  public static ServingFiles watch(DecisionPolicy policy, EngineMetrics metrics, Path model, Path shadowModel, Path rules,
      Pseudonymiser pseudonymiser, Duration interval) {
    ServingFiles files = new ServingFiles(metrics);
    if (model != null) {
      files.watched.add(new Watched("model", model, path -> {
        ServingModel serving = policy.useModel(ModelBundle.load(path));
        metrics.modelInService("live", serving.version(), serving.provenanceId());
        LOG.info("Model {} ({}) from {} is now live", serving.version(), serving.provenanceId(), path);
        EngineMetrics.warnIfNotWatched(serving.bundle());
      }));
    }
    if (shadowModel != null) {
      files.watched.add(new Watched("shadow-model", shadowModel, path -> {
        ServingModel serving = policy.useShadow(ModelBundle.load(path));
        metrics.modelInService("shadow", serving.version(), serving.provenanceId());
        LOG.info("Model {} ({}) from {} is now the shadow", serving.version(), serving.provenanceId(), path);
      }));
    }
    if (rules != null) {
      IdentifierHasher hasher = pseudonymiser.newHasher();
      files.watched.add(new Watched("rules", rules, path -> {
        Rules loaded = Rules.load(path, hasher);
        policy.useRules(loaded);
        LOG.info("Rules {} from {} are now in service ({})", loaded.version(), path, loaded.summary());
      }));
    }
    if (!files.watched.isEmpty()) {
      files.poller.scheduleWithFixedDelay(files::checkAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
    return files;
  }

  /** Checks every file once; also what the poller runs. */
  void checkAll() {
    for (Watched file : watched) {
      Object stamp = stampOf(file.file);
      if (stamp == null || Objects.equals(stamp, file.stamp)) {
        continue;
      }
      file.stamp = stamp;
      try {
        file.load.accept(file.file);
        metrics.reload(file.kind, "loaded");
      } catch (RuntimeException e) {
        metrics.reload(file.kind, "refused");
        LOG.warn("Refused the new {} file {}; the previous one keeps serving. {}", file.kind, file.file, e.getMessage());
      }
    }
  }

  /** What tells a changed file: its modification time, size and file key (a replaced file gets a new one). */
  private static Object stampOf(Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return List.of(attributes.lastModifiedTime(), attributes.size(), String.valueOf(attributes.fileKey()));
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
