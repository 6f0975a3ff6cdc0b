package io.fraudstream.engine;

import io.fraudstream.engine.kafka.EmbeddedKafkaBroker;
import io.fraudstream.engine.topology.Topics;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process broker for every test class of the run that uses this extension, started by
 * the first and closed when the run ends: four seconds of start-up paid once. Classes that share
 * it keep apart by their own application ids and topic names ({@link #topics}).
 */
public final class SharedBroker implements BeforeAllCallback {

  private static EmbeddedKafkaBroker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .computeIfAbsent(SharedBroker.class, key -> new Closing(start()), Closing.class);
  }

  private static synchronized EmbeddedKafkaBroker start() {
    broker = EmbeddedKafkaBroker.startTemporary();
    return broker;
  }

  /** The shared broker's bootstrap servers. */
  static synchronized String bootstrapServers() {
    if (broker == null) {
      throw new IllegalStateException("annotate the test class with @ExtendWith(SharedBroker.class)");
    }
    return broker.bootstrapServers();
  }

  /** The engine's topics, each named with {@code prefix} first, so that classes sharing the broker keep apart. */
  static Topics topics(String prefix) {
    return Topics.defaults().prefixed(prefix);
  }

  private record Closing(EmbeddedKafkaBroker broker) implements AutoCloseable {
    @Override
    public void close() {
      broker.close();
    }
  }
}
