package io.fraudstream.engine.console;

import io.fraudstream.engine.kafka.TopicAdmin;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.models.ModelBundle;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/** The console whole: its view of the topics, the reader that feeds it, the writer of actions and the server. */
public final class Console implements AutoCloseable {

  /**
   * Where it serves, what it reads and how much it holds.
   *
   * @param casesTopic the compacted topic the cases live on, shared by every console of the engine
   */
  public record Settings(String host, int port, Topics topics, String auditTopic, String casesTopic, int queueCapacity,
                         int usersRemembered, Duration lookBack) {}

  private final ConsoleView view;
  private final TopicReader reader;
  private final Actions actions;
  private final ConsoleServer server;
  private final String host;

  private Console(ConsoleView view, TopicReader reader, Actions actions, ConsoleServer server, String host) {
    this.view = view;
    this.reader = reader;
    this.actions = actions;
    this.server = server;
    this.host = host;
  }

  public static Console start(Properties clientProperties, Settings settings, Operators operators, List<ModelBundle> bundles,
      List<Rules> rules) {
    // The engine creates its own topics; the audit topic is the console's, and an action must not wait on its absence.
    TopicAdmin.ensureTopics(clientProperties, List.of(settings.auditTopic()), 1, Set.of());
    // Compacted: the latest record of a case is the whole case, kept for as long as the topic exists.
    TopicAdmin.ensureTopics(clientProperties, List.of(settings.casesTopic()), 1, Set.of(settings.casesTopic()));
    ConsoleView view = new ConsoleView(settings.queueCapacity(), settings.usersRemembered());
    view.watch(bundles);
    Actions actions = new Actions(clientProperties, settings.topics(), settings.auditTopic(), settings.casesTopic());
    ConsoleServer server;
    try {
      server = ConsoleServer.start(settings.host(), settings.port(), view, operators, actions, bundles, rules);
    } catch (RuntimeException e) {
      actions.close();
      throw e;
    }
    TopicReader reader = new TopicReader(clientProperties, settings.topics(), settings.casesTopic(), view, settings.lookBack(),
        actions::forgetCases);
    return new Console(view, reader, actions, server, settings.host());
  }

  public ConsoleView view() {
    return view;
  }

  public String address() {
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + "/";
  }

  @Override
  public void close() {
    server.close();
    reader.close();
    actions.close();
  }
}
