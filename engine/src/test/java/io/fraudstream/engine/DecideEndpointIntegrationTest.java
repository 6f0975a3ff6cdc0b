package io.fraudstream.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.client.Answer;
import io.fraudstream.client.DecideClient;
import io.fraudstream.client.DecideException;
import io.fraudstream.client.Payment;
import io.fraudstream.engine.answer.DecideEndpoint;
import io.fraudstream.engine.answer.DecideSettings;
import io.fraudstream.engine.console.Operators;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.ParsedTransaction;
import io.fraudstream.features.TransactionJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decide endpoint of a real engine on a real broker, called as a payment service would: with
 * the JDK's HTTP client, with curl, and under load from wrk and hey. Every answer is checked
 * against the decision the topic records.
 */
@Tag("broker")
@ExtendWith(SharedBroker.class)
class DecideEndpointIntegrationTest {

  private static final String TOKEN = "checkout-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Committing every 3 s, so that an answer given before its commit shows as one. */
  private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(3);
  @TempDir
  static Path dir;
  private static Topics topics;
  private static FraudEngine engine;
  private static String url;
  private static DecisionReader committed;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startEngine() {
    topics = SharedBroker.topics("decide-");
    DecideSettings decide = new DecideSettings(Duration.ofSeconds(5), Tier.BLOCK, 2, Duration.ofMinutes(10),
        Operators.parse("checkout:" + TOKEN));
    EngineConfig defaults = EngineConfig.defaults(SharedBroker.bootstrapServers(), dir.resolve("state"),
        new String(TestModels.SECRET, StandardCharsets.UTF_8));
    EngineConfig config = new EngineConfig(defaults.bootstrapServers(), "decide-it", topics, defaults.stateDir(), TestModels.SECRET,
        defaults.blockDuration(), defaults.partitions(), defaults.streamThreads(), defaults.processingGuarantee(), defaults.profile(),
        COMMIT_INTERVAL, defaults.grace(), defaults.acceptedTimes(), Map.of(),
        new EngineConfig.Serving(null, null, null, Duration.ofSeconds(5), "127.0.0.1", 0, decide), defaults.challenges());
    engine = FraudEngine.start(config, TestModels.bundle(), Duration.ofSeconds(60));
    url = "http://127.0.0.1:" + engine.httpPort() + DecideEndpoint.PATH;
    committed = new DecisionReader(SharedBroker.bootstrapServers(), topics.decisions());
  }

  @AfterAll
  static void stopEngine() throws InterruptedException {
    if (committed != null) {
      committed.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  private static String payment(String id, String user, double amount) {
    return "{\"id\":\"" + id + "\",\"timestamp\":\"" + Instant.now() + "\",\"user\":\"" + user + "\",\"amount\":" + amount
        + ",\"currency\":\"EUR\",\"merchant\":\"m1\",\"device\":\"d-" + user + "\"}";
  }

  private HttpResponse<String> decide(String body, String... headers) throws IOException, InterruptedException {
    return http.send(request(body, headers), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String body, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      builder.setHeader(headers[i], headers[i + 1]);
    }
    return builder.build();
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  private static void assertSameAsRecorded(JsonNode answer, Decision recorded) {
    assertEquals(recorded.tier().name(), answer.get("tier").asText(), recorded.paymentId());
    assertEquals(recorded.score(), answer.get("score").asDouble(), 0.0, recorded.paymentId());
    List<String> reasons = new ArrayList<>();
    answer.get("reasons").forEach(reason -> reasons.add(reason.asText()));
    assertEquals(recorded.reasons(), reasons, recorded.paymentId());
    assertEquals(recorded.decidedAt().toString(), answer.get("decidedAt").asText(), recorded.paymentId());
  }

  /** Records written to a topic so far: the decide endpoint's producer is not transactional, so offsets count records. */
  private static long written(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(partition -> ends.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
      return admin.listOffsets(ends).all().get().values().stream().mapToLong(info -> info.offset()).sum();
    }
  }

  @Test
  void answersEachPaymentWithTheDecisionTheTopicRecordsBeforeItsCommit() throws Exception {
    List<String> ids = new ArrayList<>();
    Map<String, JsonNode> answers = new HashMap<>();
    int answeredBeforeCommit = 0;
    for (int i = 0; i < 10; i++) {
      String id = "before-commit-" + i;
      HttpResponse<String> response = decide(payment(id, "u-bc-" + (i % 3), 20 + i));
      boolean readableYet = committed.seen().containsKey(id);
      assertEquals(200, response.statusCode(), response.body());
      JsonNode answer = json(response);
      assertFalse(answer.get("fallback").asBoolean(), response.body());
      assertEquals(id, answer.get("paymentId").asText());
      answers.put(id, answer);
      ids.add(id);
      answeredBeforeCommit += readableYet ? 0 : 1;
    }
    committed.awaitAll(ids, Duration.ofSeconds(30), Duration.ofSeconds(1));
    for (String id : ids) {
      DecisionReader.Seen seen = committed.seen().get(id);
      assertEquals(1, seen.count(), "one committed decision for " + id);
      assertSameAsRecorded(answers.get(id), seen.first());
    }
    // Commits come every 3 s and an answer within milliseconds: nearly all answers precede theirs.
    assertTrue(answeredBeforeCommit >= 8, answeredBeforeCommit + " of 10 answered before their decision was committed");
    awaitMeter("fraudstream.answers.confirmed", 10);
  }

  @Test
  void aRetryGetsTheSameDecisionAndADifferentPaymentUnderItsIdIsRefused() throws Exception {
    String body = payment("retried", "u-retry", 42.5);
    JsonNode first = json(decide(body));
    JsonNode again = json(decide(body));
    assertEquals(first, again, "a retry is answered with the same decision");
    long transactions = written(topics.transactions());
    HttpResponse<String> conflict = decide(payment("retried", "u-retry", 99));
    assertEquals(409, conflict.statusCode());
    assertTrue(json(conflict).get("error").asText().contains("already used for a different payment"), conflict.body());
    assertEquals(transactions, written(topics.transactions()), "a refused payment is not written");
    committed.awaitAll(List.of("retried"), Duration.ofSeconds(30), Duration.ofSeconds(1));
    assertEquals(1, committed.seen().get("retried").count(), "featured and decided once, however often asked");
  }

  @Test
  void refusesBadInputWithWhatToFixWritingNothing() throws Exception {
    long transactions = written(topics.transactions());
    Map<String, HttpResponse<String>> refused = new HashMap<>();
    refused.put("field 'timestamp'", decide("{\"id\":\"bad-1\",\"user\":\"u1\",\"amount\":3}"));
    refused.put("expected a JSON object", decide("[1,2]"));
    refused.put("amount must be", decide("{\"id\":\"bad-2\",\"timestamp\":\"" + Instant.now() + "\",\"user\":\"u1\",\"amount\":-3}"));
    refused.put("ahead", decide(payment("bad-3", "u1", 3).replaceFirst("\"timestamp\":\"[^\"]+\"",
        "\"timestamp\":\"" + Instant.now().plus(Duration.ofDays(1)) + "\"")));
    refused.put("65536", decide("{\"id\":\"" + "x".repeat(70_000) + "\"}"));
    refused.put(DecideEndpoint.DEADLINE_HEADER, decide(payment("bad-4", "u1", 3), DecideEndpoint.DEADLINE_HEADER, "soon"));
    for (Map.Entry<String, HttpResponse<String>> entry : refused.entrySet()) {
      assertEquals(400, entry.getValue().statusCode(), entry.getValue().body());
      assertTrue(json(entry.getValue()).get("error").asText().contains(entry.getKey()), entry.getValue().body());
    }
    HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(
        payment("bad-5", "u1", 3))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, noToken.statusCode());
    assertEquals("Bearer realm=\"fraudstream\"", noToken.headers().firstValue("WWW-Authenticate").orElse(null));
    assertEquals(401, decide(payment("bad-6", "u1", 3), "Authorization", "Bearer not-" + TOKEN).statusCode());
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
    assertEquals(transactions, written(topics.transactions()), "nothing refused was written");
  }

  @Test
  void answersTheFallbackPastTheDeadlineBoundsWhatWaitsAndStillRecordsTheDecision() throws Exception {
    String lateBody = payment("late-1", "u-late", 15);
    engine.streams().pause();
    try {
      CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(request(lateBody,
          DecideEndpoint.DEADLINE_HEADER, "1500"), HttpResponse.BodyHandlers.ofString());
      CompletableFuture<HttpResponse<String>> alsoWaiting = http.sendAsync(request(payment("late-2", "u-late-2", 15),
          DecideEndpoint.DEADLINE_HEADER, "1500"), HttpResponse.BodyHandlers.ofString());
      awaitMeter("fraudstream.answers.waiting", 2);
      HttpResponse<String> busy = decide(payment("late-3", "u-late-3", 15));
      assertEquals(429, busy.statusCode(), busy.body());
      assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null));
      HttpResponse<String> late = waiting.get(10, TimeUnit.SECONDS);
      assertEquals(200, late.statusCode());
      JsonNode fallback = json(late);
      assertTrue(fallback.get("fallback").asBoolean(), late.body());
      assertEquals("BLOCK", fallback.get("tier").asText(), "the deployment's fallback tier");
      assertTrue(fallback.get("score").isNull());
      assertEquals(200, alsoWaiting.get(10, TimeUnit.SECONDS).statusCode());
    } finally {
      engine.streams().resume();
    }
    committed.awaitAll(List.of("late-1", "late-2"), Duration.ofSeconds(30), Duration.ofSeconds(1));
    JsonNode decided = json(decide(lateBody));
    assertFalse(decided.get("fallback").asBoolean(), "once decided, a retry gets the decision: " + decided);
    assertSameAsRecorded(decided, committed.seen().get("late-1").first());
    assertFalse(committed.seen().containsKey("late-3"), "a payment refused as busy is not written");
  }

  @Test
  void theJavaClientRetriesAtTheNextEngineWithTheSameIdAndFallsBackWhenTimeRunsOut() throws Exception {
    URI nobody;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nobody = URI.create("http://127.0.0.1:" + closed.getLocalPort());
    }
    URI base = URI.create("http://127.0.0.1:" + engine.httpPort());
    DecideClient client = DecideClient.builder(nobody, base).token(TOKEN).deadline(Duration.ofSeconds(5)).build();
    Answer answer = client.decide(Payment.of("client-1", Instant.now(), "u-client", 31.5).withDevice("d-c").withMerchant("m1"));
    assertFalse(answer.fallback(), answer.toString());
    committed.awaitAll(List.of("client-1"), Duration.ofSeconds(30), Duration.ofSeconds(1));
    Decision recorded = committed.seen().get("client-1").first();
    assertEquals(1, committed.seen().get("client-1").count());
    assertEquals(recorded.tier().name(), answer.tier());
    assertEquals(recorded.score(), answer.score(), 0.0);
    assertEquals(recorded.reasons(), answer.reasons());

    DecideException refused = assertThrows(DecideException.class,
        () -> client.decide(Payment.of("client-1", Instant.now(), "u-client", 99)));
    assertEquals(409, refused.status());

    engine.streams().pause();
    try {
      DecideClient hurried = DecideClient.builder(base).token(TOKEN).deadline(Duration.ofMillis(300)).fallback("ALLOW").build();
      Answer late = hurried.decide(Payment.of("client-2", Instant.now(), "u-client-2", 8));
      assertTrue(late.fallback(), late.toString());
      assertEquals("BLOCK", late.tier(), "the engine's own fallback, given at the deadline the client passed on");
      Answer unreachable = DecideClient.builder(nobody).deadline(Duration.ofMillis(200)).fallback("ALLOW").build()
          .decide(Payment.of("client-3", Instant.now(), "u-client-3", 8));
      assertTrue(unreachable.fallback());
      assertEquals("ALLOW", unreachable.tier(), "the client's fallback when no engine answers");
    } finally {
      engine.streams().resume();
    }
  }

  /** Whoever may write to {@code decisions} can put anything there; no record stops the endpoint's readers. */
  @Test
  void recordsOnDecisionsThatAreNotThePaymentsDecisionAreSkipped() throws Exception {
    double confirmedBefore = engine.registry().counter("fraudstream.answers.confirmed").count();
    String body = payment("poisoned", "u-poison", 21);
    engine.streams().pause();
    CompletableFuture<HttpResponse<String>> waiting;
    try {
      waiting = http.sendAsync(request(body, DecideEndpoint.DEADLINE_HEADER, "20000"),
          HttpResponse.BodyHandlers.ofString());
      awaitMeter("fraudstream.answers.waiting", 1);
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers());
      props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(1024 * 1024));
      try (KafkaProducer<String, byte[]> attacker = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
        for (byte[] value : new byte[][] {"not json".getBytes(StandardCharsets.UTF_8), null,
            "{\"paymentId\":\"someone-else\",\"tier\":\"ALLOW\"}".getBytes(StandardCharsets.UTF_8),
            "{\"paymentId\":\"poisoned\"}".getBytes(StandardCharsets.UTF_8), "[]".getBytes(StandardCharsets.UTF_8),
            "x".repeat(200_000).getBytes(StandardCharsets.UTF_8)}) {
          attacker.send(new ProducerRecord<>(topics.decisions(), "poisoned", value)).get();
        }
      }
      Thread.sleep(1_500);
      assertFalse(waiting.isDone(), "no record above is this payment's decision: " + (waiting.isDone() ? waiting.get().body() : ""));
    } finally {
      engine.streams().resume();
    }
    HttpResponse<String> response = waiting.get(30, TimeUnit.SECONDS);
    JsonNode answer = json(response);
    assertFalse(answer.get("fallback").asBoolean(), response.body());
    committed.awaitAll(List.of("poisoned"), Duration.ofSeconds(30), Duration.ofSeconds(1));
    assertSameAsRecorded(answer, committed.seen().get("poisoned").first());
    // The readers go on: the next payment is answered and settled as before.
    assertEquals(200, decide(payment("after-poison", "u-poison-2", 22)).statusCode());
    long settleBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (engine.registry().counter("fraudstream.answers.confirmed").count() < confirmedBefore + 2 && System.nanoTime() < settleBy) {
      Thread.sleep(100);
    }
    assertTrue(engine.registry().counter("fraudstream.answers.confirmed").count() >= confirmedBefore + 2,
        "both answers settled against their committed decisions");
  }

  @Test
  void curlGetsTheRecordedDecision() throws Exception {
    Process curl = new ProcessBuilder("curl", "-s", "-S", "--fail-with-body", "-H", "Authorization: Bearer " + TOKEN, "-H",
        "Content-Type: application/json", "--data", payment("curl-1", "u-curl", 77.7), url).redirectErrorStream(true).start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, curl.waitFor(), out);
    committed.awaitAll(List.of("curl-1"), Duration.ofSeconds(30), Duration.ofSeconds(1));
    assertSameAsRecorded(JSON.readTree(out), committed.seen().get("curl-1").first());
  }

  @Test
  void wrkLoadsItWithDistinctPaymentsAndEachIsDecidedOnce() throws Exception {
    requireTool("wrk");
    Path script = dir.resolve("decide.lua");
    // Each of wrk's connections sends its own payments; ids carry the thread, so none repeats.
    Files.writeString(script, """
        local counter = 0
        function setup(thread) thread:set("tag", tostring(math.random(1e9))) end
        function request()
          counter = counter + 1
          local body = string.format('{"id":"wrk-%s-%d","timestamp":%d,"user":"w%d","amount":%d}',
            tag, counter, os.time() * 1000, counter % 50, 10 + counter % 90)
          return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer TOKEN"}, body)
        end
        """.replace("TOKEN", TOKEN));
    String out = run("wrk", "-t1", "-c2", "-d3s", "--latency", "-s", script.toString(), url);
    assertFalse(out.contains("Non-2xx"), out);
    Matcher requests = Pattern.compile("(\\d+) requests in").matcher(out);
    assertTrue(requests.find(), out);
    long sent = Long.parseLong(requests.group(1));
    assertTrue(sent > 50, out);
    // wrk counts the requests it saw answered; the last one of each connection may be cut off unanswered.
    awaitCommitted(id -> id.startsWith("wrk-"), sent, 2);
    System.out.println("wrk against /v1/decide:\n" + out);
  }

  @Test
  void heyRepeatingOnePaymentGetsOneDecision() throws Exception {
    requireTool("hey");
    Path body = dir.resolve("one.json");
    Files.writeString(body, payment("hey-once", "u-hey", 64));
    String out = run("hey", "-n", "300", "-c", "2", "-m", "POST", "-T", "application/json", "-H", "Authorization: Bearer " + TOKEN,
        "-D", body.toString(), url);
    assertTrue(out.contains("[200]\t300 responses"), out);
    committed.awaitAll(List.of("hey-once"), Duration.ofSeconds(30), Duration.ofSeconds(2));
    assertEquals(1, committed.seen().get("hey-once").count(), "300 requests for one payment, one decision");
  }

  @Test
  void theServerMatchesItsOpenApiDescription() throws Exception {
    JsonNode api = JSON.readTree(Path.of("..", "docs", "decide-openapi.json").toFile());
    JsonNode post = api.at("/paths/" + DecideEndpoint.PATH.replace("/", "~1") + "/post");
    assertFalse(post.isMissingNode(), "the description documents POST " + DecideEndpoint.PATH);
    assertEquals(DecideEndpoint.DEADLINE_HEADER, post.at("/parameters/0/name").asText());
    assertEquals(DecideSettings.MAX_DEADLINE.toMillis(), post.at("/parameters/0/schema/maximum").asLong());

    // Every property of a real answer is described, and every described property is in it.
    JsonNode answer = json(decide(payment("openapi-1", "u-api", 12)));
    assertEquals(names(api.at("/components/schemas/Answer/properties")), names(answer));
    for (String field : names(api.at("/components/schemas/Answer/required"), true)) {
      assertFalse(answer.get(field).isNull(), field + " is required");
    }
    assertEquals(names(api.at("/components/schemas/Block/properties")),
        new TreeSet<>(List.of("entity", "entityType", "paymentId", "reason", "blockedAt", "expiresAt")));
    // The described payment, with every property, is one the topic's contract takes.
    StringBuilder full = new StringBuilder("{");
    for (Iterator<Map.Entry<String, JsonNode>> fields = api.at("/components/schemas/Payment/properties").fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String type = field.getValue().get("type").asText();
      String value = switch (field.getKey()) {
        case "timestamp" -> "\"" + Instant.now() + "\"";
        case "lat" -> "52.1";
        case "lon" -> "4.3";
        default -> type.equals("number") ? "10.5" : "\"" + field.getKey() + "-1\"";
      };
      full.append(full.length() > 1 ? "," : "").append('"').append(field.getKey()).append("\":").append(value);
    }
    String described = full.append('}').toString();
    assertTrue(TransactionJson.parse(described.getBytes(StandardCharsets.UTF_8)) instanceof ParsedTransaction.Valid, described);
    // Every status the endpoint sends is described (this class and DecideEndpointTest produce all but 403), and no other.
    Set<String> documented = names(post.get("responses"));
    assertEquals(new TreeSet<>(List.of("200", "400", "401", "403", "405", "409", "429", "503")), documented);
    assertNotNull(api.at("/components/schemas/Error/properties/error").get("type"));
  }

  private static Set<String> names(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Set<String> names(JsonNode array, boolean elements) {
    Set<String> names = new TreeSet<>();
    array.elements().forEachRemaining(element -> names.add(element.asText()));
    return names;
  }

  private static void awaitMeter(String name, double atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      double value = engine.registry().find(name).meters().stream()
          .mapToDouble(meter -> meter.measure().iterator().next().getValue()).sum();
      if (value >= atLeast) {
        return;
      }
      if (System.nanoTime() > deadline) {
        fail(name + " reached " + value + ", not " + atLeast);
      }
      Thread.sleep(50);
    }
  }

  private static void awaitCommitted(Predicate<String> ids, long count, int unanswered) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, DecisionReader.Seen> matching = new HashMap<>();
      committed.seen().forEach((id, seen) -> {
        if (ids.test(id)) {
          matching.put(id, seen);
        }
      });
      if (matching.size() >= count) {
        Thread.sleep(2_000);
        long all = committed.seen().keySet().stream().filter(ids).count();
        assertTrue(all <= count + unanswered, all + " decisions of " + count + " payments answered and " + unanswered + " cut off");
        assertTrue(matching.values().stream().allMatch(seen -> seen.count() == 1), "each payment decided once");
        return;
      }
      if (System.nanoTime() > deadline) {
        fail(matching.size() + " of " + count + " payments decided");
      }
      Thread.sleep(100);
    }
  }

  private static void requireTool(String tool) {
    boolean present = Files.isExecutable(Path.of("/usr/bin", tool));
    if (Boolean.parseBoolean(System.getenv("FRAUDSTREAM_TOOLS_REQUIRED"))) {
      assertTrue(present, "FRAUDSTREAM_TOOLS_REQUIRED is set but /usr/bin/" + tool + " is missing: apt-get install " + tool);
    }
    assumeTrue(present, "apt-get install " + tool + " to run this test");
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, process.exitValue(), out);
    return out;
  }
}
