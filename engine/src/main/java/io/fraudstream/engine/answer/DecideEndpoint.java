package io.fraudstream.engine.answer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.engine.topology.InputChecks;
import io.fraudstream.engine.topology.InputWindow;
import io.fraudstream.features.InputLimits;
import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/decide}: a payment in, as the transactions topic takes it; its decision out, as
 * soon as the engine has made it. The payment is written to the transactions topic and decided
 * there like any other; the answer is that decision, before its transaction commits. Nothing
 * here waits on a thread: the answer is sent when the decision or the deadline comes, whichever
 * is first. The contract is in {@code docs/decide-api.md} and {@code docs/decide-openapi.json}.
 */
public final class DecideEndpoint implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DecideEndpoint.class);
  /** The request header naming how long the caller waits, in milliseconds. */
  public static final String DEADLINE_HEADER = "Fraudstream-Deadline-Ms";
  public static final String PATH = "/v1/decide";

  private final DecideSettings settings;
  private final Answers answers;
  private final Producer<String, byte[]> producer;
  private final String transactionsTopic;
  private final InputWindow window;
  private final EngineMetrics metrics;
  private final BooleanSupplier deciding;
  private final ScheduledExecutorService deadlines;
  private final Executor responder;
  private final Semaphore inFlight;

  /**
   * @param deciding whether the engine is running or rebalancing, so that a payment written now will be decided
   * @param deadlines where each request's deadline is timed
   * @param responder where answers are written, off the thread that made the decision
   */
  public DecideEndpoint(DecideSettings settings, Answers answers, Producer<String, byte[]> producer, String transactionsTopic,
      InputWindow window, EngineMetrics metrics, BooleanSupplier deciding, ScheduledExecutorService deadlines,
      Executor responder) {
    this.settings = settings;
    this.answers = answers;
    this.producer = producer;
    this.transactionsTopic = transactionsTopic;
    this.window = window;
    this.metrics = metrics;
    this.deciding = deciding;
    this.deadlines = deadlines;
    this.responder = responder;
    this.inFlight = new Semaphore(settings.maxInFlight());
    metrics.answersWaiting(() -> settings.maxInFlight() - inFlight.availablePermits());
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long received = System.nanoTime();
    try {
      handle(exchange, received);
    } catch (IOException | RuntimeException e) {
      LOG.warn("A decide request failed before it was answered: {}", e.toString());
      exchange.close();
    }
  }

  private void handle(HttpExchange exchange, long received) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Allow", "POST");
      refuse(exchange, received, 405, "bad-request", "POST the payment as JSON to " + PATH);
      return;
    }
    String unauthorised = authorise(exchange);
    if (unauthorised != null) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"fraudstream\"");
      refuse(exchange, received, settings.callers().any() ? 401 : 403, "unauthorised", unauthorised);
      return;
    }
    Duration deadline;
    try {
      deadline = deadline(exchange.getRequestHeaders().getFirst(DEADLINE_HEADER));
    } catch (IllegalArgumentException e) {
      refuse(exchange, received, 400, "bad-request", e.getMessage());
      return;
    }
    byte[] body = readBody(exchange.getRequestBody());
    if (InputLimits.checkRecordSize(body.length) != null) {
      refuse(exchange, received, 400, "bad-request", "the payment is over " + InputLimits.MAX_RECORD_BYTES
          + " bytes, the most the transactions topic takes");
      return;
    }
    ParsedTransaction parsed = TransactionJson.parse(body);
    if (parsed instanceof ParsedTransaction.Valid valid) {
      // The topic's own check, with the key the payment will be written under: its user.
      parsed = InputChecks.checkRecord(valid.transaction().user(), parsed, window);
    }
    if (parsed instanceof ParsedTransaction.Invalid invalid) {
      refuse(exchange, received, 400, "bad-request", invalid.reason());
      return;
    }
    if (!deciding.getAsBoolean()) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      refuse(exchange, received, 503, "unavailable", "the engine is not running; try another instance or again shortly");
      return;
    }
    if (!inFlight.tryAcquire()) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      refuse(exchange, received, 429, "busy", settings.maxInFlight() + " payments are already waiting for their decision here;"
          + " retry with the same payment id, or send to another instance");
      return;
    }
    Transaction payment = ((ParsedTransaction.Valid) parsed).transaction();
    Answers.Ask ask;
    try {
      ask = answers.ask(payment, received);
    } catch (Answers.Conflict conflict) {
      inFlight.release();
      refuse(exchange, received, 409, "conflict", conflict.getMessage());
      return;
    }
    Pending pending = new Pending(exchange, received, payment.id(), ask.asked(), deadline);
    if (ask.first()) {
      try {
        producer.send(new ProducerRecord<>(transactionsTopic, payment.user(), body), (written, error) -> {
          if (error != null) {
            notWritten(payment.id(), ask.asked(), error);
          }
        });
      } catch (RuntimeException e) {
        // Refused before it was sent (no metadata within max.block.ms, a closed producer): answered 503 below.
        notWritten(payment.id(), ask.asked(), e);
      }
    }
    pending.await();
  }

  /** A payment that could not be written: forgotten, so that a retry writes it, and every caller waiting for it told. */
  private void notWritten(String paymentId, Answers.Asked asked, Exception error) {
    answers.forget(paymentId, asked);
    asked.decision().completeExceptionally(error);
  }

  /** A request waiting for its payment's decision or its deadline; answered once, by whichever comes first. */
  private final class Pending {
    private final HttpExchange exchange;
    private final long received;
    private final String paymentId;
    private final Answers.Asked asked;
    private final Duration deadline;
    private final AtomicBoolean answered = new AtomicBoolean();
    private ScheduledFuture<?> timer;

    Pending(HttpExchange exchange, long received, String paymentId, Answers.Asked asked, Duration deadline) {
      this.exchange = exchange;
      this.received = received;
      this.paymentId = paymentId;
      this.asked = asked;
      this.deadline = deadline;
    }

    void await() {
      long left = deadline.toNanos() - (System.nanoTime() - received);
      timer = deadlines.schedule(this::fallBack, Math.max(0, left), TimeUnit.NANOSECONDS);
      asked.decision().whenCompleteAsync(this::decided, responder);
    }

    private void decided(Answer decision, Throwable error) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      timer.cancel(false);
      if (error != null) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        finish(503, "unavailable", error("the payment could not be written to the transactions topic: " + error.getMessage()
            + "; retry with the same payment id"));
        return;
      }
      asked.answered(decision);
      finish(200, "decided", decision.toJson());
    }

    private void fallBack() {
      if (answered.compareAndSet(false, true)) {
        finish(200, "fallback", Answer.fallback(paymentId, settings.fallback(), deadline).toJson());
      }
    }

    private void finish(int status, String outcome, byte[] body) {
      inFlight.release();
      try {
        send(exchange, status, body);
      } catch (IOException | RuntimeException e) {
        LOG.debug("The caller went before its answer for {} was sent: {}", paymentId, e.toString());
      } finally {
        metrics.answered(outcome, System.nanoTime() - received);
      }
    }
  }

  /** Null when the caller may decide; otherwise why not. */
  private String authorise(HttpExchange exchange) {
    if (!settings.callers().any()) {
      return exchange.getRemoteAddress().getAddress().isLoopbackAddress() ? null
          : "no callers are configured, so only this machine may call; give callers tokens with --decide-callers-file";
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    return token != null && settings.callers().authenticate(token) != null ? null
        : "send 'Authorization: Bearer <token>' with a caller's token";
  }

  private Duration deadline(String header) {
    if (header == null || header.isBlank()) {
      return settings.deadline();
    }
    long millis;
    try {
      millis = Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      millis = -1;
    }
    if (millis < 1 || millis > DecideSettings.MAX_DEADLINE.toMillis()) {
      throw new IllegalArgumentException(DEADLINE_HEADER + " must be a whole number of milliseconds from 1 to "
          + DecideSettings.MAX_DEADLINE.toMillis() + ", got '" + header + "'");
    }
    return Duration.ofMillis(millis);
  }

  /** The body, or as much of it as shows it is too large. */
  private static byte[] readBody(InputStream in) throws IOException {
    try (in) {
      return in.readNBytes(InputLimits.MAX_RECORD_BYTES + 1);
    }
  }

  private void refuse(HttpExchange exchange, long received, int status, String outcome, String message) throws IOException {
    try {
      send(exchange, status, error(message));
    } finally {
      metrics.answered(outcome, System.nanoTime() - received);
    }
  }

  private static byte[] error(String message) {
    return Answer.SERDE_ERRORS.serializer().serialize(null, new Answer.Error(message));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
