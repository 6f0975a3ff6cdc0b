package io.fraudstream.engine.answer;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.engine.topology.InputWindow;
import io.fraudstream.engine.topology.Topics;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Everything behind the decide endpoint in one engine: the payments asked about, the producer that
 * writes them, the two readers of the decisions topic, and the threads that time deadlines and
 * send answers. The payment path calls {@link #decided} as it decides, on its stream thread; that
 * is a map lookup unless someone here waits for the payment.
 */
public final class DecideService implements AutoCloseable {

  /** Payment ids remembered at most, whatever the settings' time: under a kilobyte each with its answer, by its fields. */
  static final int CAPACITY = 250_000;

  private final Answers answers;
  private final KafkaProducer<String, byte[]> producer;
  private final DecisionTail written;
  private final DecisionTail committed;
  private final ScheduledThreadPoolExecutor deadlines;
  private final ExecutorService responder;
  private final DecideEndpoint endpoint;

  private DecideService(Answers answers, KafkaProducer<String, byte[]> producer, DecisionTail written, DecisionTail committed,
      ScheduledThreadPoolExecutor deadlines, ExecutorService responder, DecideEndpoint endpoint) {
    this.answers = answers;
    this.producer = producer;
    this.written = written;
    this.committed = committed;
    this.deadlines = deadlines;
    this.responder = responder;
    this.endpoint = endpoint;
  }

  /**
   * Connects to the cluster and starts following the decisions topic from its end.
   *
   * @param deciding whether the engine is running or rebalancing
   * @param decidedHere the partitions of the transactions topic this process decides now
   */
  public static DecideService start(DecideSettings settings, Properties clientProperties, Topics topics, InputWindow window,
      DecisionPolicy policy, EngineMetrics metrics, BooleanSupplier deciding, Supplier<Set<Integer>> decidedHere) {
    Answers answers = new Answers(settings.remembered(), CAPACITY, metrics, decision -> Answer.of(decision, policy));
    metrics.answersRemembered(answers::size);
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // A caller waits for its answer: a cluster that cannot take the payment is said at once, not in a minute.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "fraudstream-decide");
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    DecisionTail written = null;
    try {
      written = DecisionTail.start(clientProperties, topics.decisions(), IsolationLevel.READ_UNCOMMITTED, answers, answers::decided,
          decidedHere, topics.transactions());
      // Every answer is settled against the committed decision, wherever it was made.
      DecisionTail committed = DecisionTail.start(clientProperties, topics.decisions(), IsolationLevel.READ_COMMITTED, answers,
          answers::committed, Set::of, topics.transactions());
      ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, daemon("fraudstream-decide-deadlines"));
      deadlines.setRemoveOnCancelPolicy(true);
      ExecutorService responder = Executors.newFixedThreadPool(2, daemon("fraudstream-decide-answers"));
      DecideEndpoint endpoint = new DecideEndpoint(settings, answers, producer, topics.transactions(), window, metrics, deciding,
          deadlines, responder);
      return new DecideService(answers, producer, written, committed, deadlines, responder, endpoint);
    } catch (RuntimeException e) {
      if (written != null) {
        written.close();
      }
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * The payment path's hand-over, called on the stream thread for every decision it makes: a map
   * lookup, and for a payment someone waits for, the answer made and sent on another thread.
   */
  public void decided(Decision decision) {
    if (answers.asked(decision.paymentId())) {
      responder.execute(() -> answers.decided(decision));
    }
  }

  public DecideEndpoint endpoint() {
    return endpoint;
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    deadlines.shutdownNow();
    responder.shutdownNow();
    written.close();
    committed.close();
    producer.close(Duration.ofSeconds(5));
  }
}
