package io.fraudstream.engine.kafka;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Whether the Kafka cluster answers: checked once, bounded in time, before the engine starts (so
 * that a wrong address fails fast with a message saying what to check), and then every few
 * seconds for readiness, which Kafka Streams' own state does not reflect (it stays RUNNING while
 * the brokers are away).
 */
public final class ClusterProbe implements AutoCloseable {

  private static final Duration INTERVAL = Duration.ofSeconds(2);

  private final Admin admin;
  private final ScheduledExecutorService schedule;
  private volatile boolean reachable = true;

  private ClusterProbe(Admin admin) {
    this.admin = admin;
    this.schedule = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "fraudstream-cluster-probe");
      thread.setDaemon(true);
      return thread;
    });
    schedule.scheduleWithFixedDelay(() -> reachable = answers(admin, INTERVAL) == null, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Fails within {@code timeout} with a message naming the servers and what to check, unless the
   * cluster answers.
   */
  public static void requireReachable(Properties clientProps, Duration timeout) {
    try (Admin admin = Admin.create(withTimeout(clientProps, timeout))) {
      String problem = answers(admin, timeout);
      if (problem != null) {
        throw new IllegalStateException("cannot use the Kafka cluster at " + clientProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
            + " (waited " + timeout.toSeconds() + " s): " + problem);
      }
    }
  }

  /** Starts probing the cluster every few seconds. */
  public static ClusterProbe watch(Properties clientProps) {
    return new ClusterProbe(Admin.create(withTimeout(clientProps, INTERVAL)));
  }

  /** Whether the cluster answered the last probe. */
  public boolean reachable() {
    return reachable;
  }

  /** Null when the cluster answers within {@code timeout}, or what went wrong and what to check. */
  private static String answers(Admin admin, Duration timeout) {
    try {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AuthenticationException) {
        return "authentication failed (" + cause.getMessage() + "); check the user and password in sasl.jaas.config, "
            + "sasl.mechanism and the TLS settings (ssl.truststore.*, and ssl.keystore.* where the brokers ask for a "
            + "client certificate)";
      }
      if (cause instanceof AuthorizationException) {
        return "not authorised (" + cause.getMessage() + "); check the ACLs of this principal";
      }
      return unreachable(cause.getMessage());
    } catch (TimeoutException e) {
      return unreachable("no answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static String unreachable(String detail) {
    return detail + "; check that the brokers are running and reachable from here at that address and port, "
        + "and that security.protocol matches their listener";
  }

  private static Properties withTimeout(Properties clientProps, Duration timeout) {
    Properties props = new Properties();
    props.putAll(clientProps);
    int millis = (int) Math.max(1_000, timeout.toMillis());
    props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(millis));
    props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(millis));
    return props;
  }

  @Override
  public void close() {
    schedule.shutdownNow();
    admin.close(Duration.ofSeconds(1));
  }
}
