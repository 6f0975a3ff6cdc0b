package io.fraudstream.engine.console;

import static io.fraudstream.engine.console.ConsoleHttp.JSON;
import static io.fraudstream.engine.console.ConsoleHttp.asset;
import static io.fraudstream.engine.console.ConsoleHttp.blankToNull;
import static io.fraudstream.engine.console.ConsoleHttp.cookie;
import static io.fraudstream.engine.console.ConsoleHttp.error;
import static io.fraudstream.engine.console.ConsoleHttp.form;
import static io.fraudstream.engine.console.ConsoleHttp.instant;
import static io.fraudstream.engine.console.ConsoleHttp.json;
import static io.fraudstream.engine.console.ConsoleHttp.longValue;
import static io.fraudstream.engine.console.ConsoleHttp.query;
import static io.fraudstream.engine.console.ConsoleHttp.tier;
import static io.fraudstream.engine.console.ConsoleHttp.webjar;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fraudstream.engine.console.ConsoleHttp.BadRequest;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.Rederivation;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.serving.HttpServers;
import io.fraudstream.features.Feature;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.models.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The analyst console over HTTP: a page, and the JSON it reads and posts.
 *
 * <ul>
 *   <li>{@code GET /api/queue}: flagged decisions, newest first, filtered by {@code tier},
 *       {@code rule}, {@code model}, {@code from}/{@code to} (ISO-8601), {@code q} (payment id or
 *       user) and {@code after} (a sequence number, for new ones only), with counts per tier;
 *   <li>{@code GET /api/payment?id=}: one decision, the user's usual values, its block and its re-derivation;
 *   <li>{@code GET /api/blocks}: blocks in force; {@code GET /api/health}: the last two hours by
 *       minute, live precision and recall, models in service; {@code GET /api/session}: who is signed in;
 *   <li>{@code POST /login}, {@code POST /logout}; {@code POST /api/label} ({@code paymentId},
 *       {@code fraud=true|false}) and {@code POST /api/unblock} ({@code entity}), which need an
 *       operator: a bearer token, or a session cookie with the session's anti-forgery header.
 * </ul>
 */
public final class ConsoleServer implements AutoCloseable {

  static final String SESSION_COOKIE = "fraudstream_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final int MAX_QUEUE_PAGE = 500;

  private final HttpServer server;
  private final ExecutorService executor;
  private final ConsoleView view;
  private final Operators operators;
  private final Actions actions;
  private final CaseRoutes cases;
  private final DriftRoutes drift;
  private final Map<String, ModelBundle> bundles = new HashMap<>();
  private final Map<String, Rules> rules = new HashMap<>();

  private ConsoleServer(HttpServer server, ConsoleView view, Operators operators, Actions actions, List<ModelBundle> bundles,
      List<Rules> rules) {
    this.server = server;
    this.view = view;
    this.operators = operators;
    this.actions = actions;
    this.cases = new CaseRoutes(view, actions, this::operator, ConsoleServer::remote);
    this.drift = new DriftRoutes(view);
    bundles.forEach(bundle -> this.bundles.put(bundle.provenanceId(), bundle));
    this.rules.put(Rules.none().version(), Rules.none());
    rules.forEach(ruleset -> this.rules.put(ruleset.version(), ruleset));
    this.executor = Executors.newFixedThreadPool(4, runnable -> {
      Thread thread = new Thread(runnable, "fraudstream-console-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
  }

  /** Serves on {@code host:port} (port 0 picks a free one), re-deriving decisions with {@code bundles} and {@code rules}. */
  public static ConsoleServer start(String host, int port, ConsoleView view, Operators operators, Actions actions,
      List<ModelBundle> bundles, List<Rules> rules) {
    HttpServer server;
    try {
      server = HttpServers.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the console on " + host + ":" + port + " (" + e.getMessage()
          + "); choose another --port", e);
    }
    ConsoleServer console = new ConsoleServer(server, view, operators, actions, bundles, rules);
    server.createContext("/", console::handle);
    server.start();
    return console;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
      exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      try {
        route(exchange, method, path);
      } catch (BadRequest e) {
        error(exchange, e.status, e.getMessage());
      } catch (RuntimeException e) {
        error(exchange, 500, "the console could not answer: " + e.getMessage());
      }
    }
  }

  private void route(HttpExchange exchange, String method, String path) throws IOException {
    if (path.startsWith("/api/case") && cases.route(exchange, method, path)) {
      return;
    }
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    switch (path) {
      case "/", "/index.html" -> requireThen(get, () -> asset(exchange, "index.html", "text/html; charset=utf-8"));
      case "/console.js" -> requireThen(get, () -> asset(exchange, "console.js", "text/javascript; charset=utf-8"));
      case "/console.css" -> requireThen(get, () -> asset(exchange, "console.css", "text/css; charset=utf-8"));
      case "/api/queue" -> requireThen(get, () -> json(exchange, 200, queue(query(exchange))));
      case "/api/payment" -> requireThen(get, () -> json(exchange, 200, payment(query(exchange).get("id"))));
      case "/api/blocks" -> requireThen(get, () -> json(exchange, 200, blocks()));
      case "/api/health" -> requireThen(get, () -> json(exchange, 200, health()));
      case "/api/drift" -> drift.answer(exchange, method);
      case "/uplot/uPlot.esm.js" -> requireThen(get, () -> webjar(exchange, "uPlot.esm.js", "text/javascript; charset=utf-8"));
      case "/uplot/uPlot.min.css" -> requireThen(get, () -> webjar(exchange, "uPlot.min.css", "text/css; charset=utf-8"));
      case "/api/session" -> requireThen(get, () -> json(exchange, 200, session(exchange)));
      case "/login" -> requireThen(post, () -> login(exchange));
      case "/logout" -> requireThen(post, () -> logout(exchange));
      case "/api/label" -> requireThen(post, () -> label(exchange, operator(exchange)));
      case "/api/unblock" -> requireThen(post, () -> unblock(exchange, operator(exchange)));
      default -> throw new BadRequest(404, "no such page: " + path);
    }
  }

  private interface Answer {
    void run() throws IOException;
  }

  private static void requireThen(boolean methodAllowed, Answer answer) throws IOException {
    if (!methodAllowed) {
      throw new BadRequest(405, "method not allowed here");
    }
    answer.run();
  }

  private ObjectNode queue(Map<String, String> query) {
    ConsoleView.Filter filter = new ConsoleView.Filter(tier(query.get("tier")), blankToNull(query.get("rule")),
        blankToNull(query.get("model")), instant(query, "from"), instant(query, "to"), blankToNull(query.get("q")),
        longValue(query, "after"));
    int limit = (int) Math.min(MAX_QUEUE_PAGE, Math.max(1, longValue(query, "limit") == 0 ? 100 : longValue(query, "limit")));
    Instant now = Instant.now();
    ObjectNode answer = JSON.createObjectNode();
    answer.put("last", view.lastSequence()).put("held", view.size()).put("unreadable", view.unreadableCount());
    answer.set("lastHour", JSON.valueToTree(view.countsWithin(Duration.ofHours(1), now)));
    answer.set("lastDay", JSON.valueToTree(view.countsWithin(Duration.ofDays(1), now)));
    ObjectNode precision = answer.putObject("precision");
    view.livePrecisionAndRecall().get("precision").forEach((tier, value) -> precision.put(tier.name(), Double.isNaN(value) ? null : value));
    ArrayNode items = answer.putArray("items");
    for (ConsoleView.Flagged flagged : view.queue(filter, limit)) {
      Decision d = flagged.decision();
      items.addObject().put("sequence", flagged.sequence()).put("paymentId", d.paymentId()).put("user", d.user())
          .put("timestamp", String.valueOf(d.timestamp())).put("amount", d.amount()).put("currency", d.currency())
          .put("merchant", d.merchant()).put("tier", d.tier().name()).put("score", d.score()).put("modelVersion", d.modelVersion())
          .put("reason", d.reasons().isEmpty() ? "" : d.reasons().get(0)).put("label", labelWord(view.labelOf(d.paymentId())));
    }
    return answer;
  }

  private ObjectNode payment(String paymentId) {
    if (paymentId == null || paymentId.isBlank()) {
      throw new BadRequest(400, "name the payment: /api/payment?id=PAYMENT-ID");
    }
    ConsoleView.Flagged flagged = view.payment(paymentId);
    if (flagged == null) {
      throw new BadRequest(404, "no CHALLENGE or BLOCK decision for payment '" + paymentId + "' in the console's queue");
    }
    Decision d = flagged.decision();
    ObjectNode answer = JSON.createObjectNode();
    answer.set("decision", JSON.valueToTree(d));
    answer.put("label", labelWord(view.labelOf(paymentId)));
    answer.put("usualOver", flagged.usualOver());
    ArrayNode features = answer.putArray("features");
    List<Feature> catalogue = Feature.all();
    for (int i = 0; i < catalogue.size(); i++) {
      Feature feature = catalogue.get(i);
      Double value = d.features().get(feature.featureName());
      if (value == null) {
        continue;
      }
      String reason = feature.canExplain(value) ? feature.reason(value) : null;
      ObjectNode row = features.addObject().put("name", feature.featureName()).put("description", feature.description())
          .put("value", value).put("pushed", reason != null && d.reasons().contains(reason));
      if (flagged.usual() != null) {
        row.put("usual", flagged.usual()[i]);
      }
    }
    Block placed = d.placesBlock() ? view.blockOn(Rules.key(Rules.Entity.USER, d.user()), view.streamTime(Instant.now())) : null;
    answer.set("placedBlock", placed != null && paymentId.equals(placed.paymentId()) ? JSON.valueToTree(placed) : null);
    answer.set("metBlock", JSON.valueToTree(d.activeBlock()));
    answer.set("rederived", rederive(d));
    return answer;
  }

  private ObjectNode rederive(Decision d) {
    ObjectNode result = JSON.createObjectNode();
    ModelBundle bundle = bundles.get(d.modelProvenance());
    Rules ruleset = rules.get(d.rulesVersion());
    if (bundle == null || ruleset == null) {
      return result.put("status", "UNAVAILABLE").put("why", bundle == null
          ? "the console was not given bundle " + d.modelProvenance() + " (model " + d.modelVersion() + "): start it with --model"
          : "the console was not given rules " + d.rulesVersion() + ": start it with --rules and --hash-secret");
    }
    Rederivation check = Rederivation.of(d, bundle, ruleset);
    result.put("status", check.matches() ? "MATCHES" : "DIFFERS").put("tier", check.again().tier().name())
        .put("score", check.again().score());
    result.set("differences", JSON.valueToTree(check.differences()));
    return result;
  }

  private ObjectNode health() {
    Health.Series series = view.health(Instant.now());
    ObjectNode answer = JSON.createObjectNode();
    answer.set("minutes", JSON.valueToTree(series.minutes()));
    for (Tier tier : Tier.values()) {
      answer.set(tier.name(), JSON.valueToTree(series.perTier()[tier.ordinal()]));
    }
    answer.set("p50Micros", finite(series.p50Micros()));
    answer.set("p99Micros", finite(series.p99Micros()));
    answer.set("deadLetters", JSON.valueToTree(series.deadLetters()));
    for (int m = 0; m < Health.LIVE.size(); m++) {
      answer.set(Health.LIVE.get(m), finite(series.live()[m]));
    }
    answer.put("deadLettersRead", series.deadLettersRead()).put("unreadable", view.unreadableCount());
    ObjectNode live = answer.putObject("live");
    view.livePrecisionAndRecall().forEach((measure, byTier) -> {
      ObjectNode node = live.putObject(measure);
      byTier.forEach((tier, value) -> node.put(tier.name(), Double.isNaN(value) ? null : value));
    });
    answer.set("models", JSON.valueToTree(view.models()));
    return answer;
  }

  /** Numbers as JSON, a missing one ({@code NaN}) as null, which the charts leave as a gap. */
  private static ArrayNode finite(double[] values) {
    ArrayNode array = JSON.createArrayNode();
    for (double value : values) {
      if (Double.isNaN(value)) {
        array.addNull();
      } else {
        array.add(value);
      }
    }
    return array;
  }

  private ArrayNode blocks() {
    return JSON.valueToTree(view.blocksInForce(view.streamTime(Instant.now())));
  }

  private ObjectNode session(HttpExchange exchange) {
    Operators.Session session = operators.session(cookie(exchange));
    ObjectNode answer = JSON.createObjectNode().put("actions", operators.any());
    if (session != null) {
      answer.put("operator", session.operator()).put("csrf", session.csrf());
    }
    return answer;
  }

  private void login(HttpExchange exchange) throws IOException {
    String operator = operators.authenticate(form(exchange).get("token"));
    if (operator == null) {
      throw new BadRequest(401, operators.any() ? "that token is no operator's" : "no operator is configured: the console is read-only");
    }
    String id = operators.open(operator);
    exchange.getResponseHeaders().add("Set-Cookie", SESSION_COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict");
    json(exchange, 200, JSON.createObjectNode().put("operator", operator).put("csrf", operators.session(id).csrf()));
  }

  private void logout(HttpExchange exchange) throws IOException {
    operators.close(cookie(exchange));
    exchange.getResponseHeaders().add("Set-Cookie", SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    json(exchange, 200, JSON.createObjectNode().put("signedOut", true));
  }

  /**
   * The operator a state-changing request acts for. A bearer token is never sent by a browser on
   * its own, so it needs nothing more; a session cookie is, so the request must also carry the
   * session's anti-forgery header and, when the browser names one, come from this console's origin.
   */
  private String operator(HttpExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null && authorization.startsWith("Bearer ")) {
      String operator = operators.authenticate(authorization.substring("Bearer ".length()).trim());
      if (operator == null) {
        throw new BadRequest(401, "that token is no operator's");
      }
      return operator;
    }
    Operators.Session session = operators.session(cookie(exchange));
    if (session == null) {
      throw new BadRequest(401, "sign in as an operator first (POST /login with your token, or send Authorization: Bearer TOKEN)");
    }
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    String host = exchange.getRequestHeaders().getFirst("Host");
    if (origin != null && !origin.equals("http://" + host) && !origin.equals("https://" + host)) {
      throw new BadRequest(403, "refused: the request came from another site (" + origin + ")");
    }
    String csrf = exchange.getRequestHeaders().getFirst(CSRF_HEADER);
    if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
        session.csrf().getBytes(StandardCharsets.UTF_8))) {
      throw new BadRequest(403, "refused: the request lacks this session's " + CSRF_HEADER + " header");
    }
    return session.operator();
  }

  private void label(HttpExchange exchange, String operator) throws IOException {
    Map<String, String> form = form(exchange);
    String paymentId = form.get("paymentId");
    String fraud = form.get("fraud");
    if (paymentId == null || paymentId.isBlank() || !("true".equals(fraud) || "false".equals(fraud))) {
      throw new BadRequest(400, "a label needs paymentId and fraud=true or fraud=false");
    }
    ConsoleView.Flagged flagged = view.payment(paymentId);
    if (flagged == null) {
      throw new BadRequest(404, "no CHALLENGE or BLOCK decision for payment '" + paymentId + "' in the console's queue");
    }
    Decision d = flagged.decision();
    PaymentLabel label = new PaymentLabel(paymentId, Boolean.parseBoolean(fraud), d.merchant(), d.device(), d.timestamp());
    actions.label(label, operator, remote(exchange));
    view.label(paymentId, label.fraud());
    json(exchange, 200, JSON.createObjectNode().put("paymentId", paymentId).put("label", labelWord(label.fraud())).put("by", operator));
  }

  private void unblock(HttpExchange exchange, String operator) throws IOException {
    String entity = form(exchange).get("entity");
    if (entity == null || !(entity.startsWith("user:") || entity.startsWith("device:") || entity.startsWith("merchant:"))
        || entity.indexOf(':') == entity.length() - 1) {
      throw new BadRequest(400, "name the entity to unblock as user:ID, device:TOKEN or merchant:ID");
    }
    if (view.blockOn(entity, view.streamTime(Instant.now())) == null) {
      throw new BadRequest(404, "no block in force on " + entity);
    }
    actions.unblock(entity, operator, remote(exchange));
    view.block(entity, null);
    json(exchange, 200, JSON.createObjectNode().put("lifted", entity).put("by", operator));
  }

  private static String remote(HttpExchange exchange) {
    return exchange.getRemoteAddress().getAddress().getHostAddress();
  }

  private static String labelWord(Boolean fraud) {
    return fraud == null ? null : fraud ? "fraud" : "legitimate";
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
