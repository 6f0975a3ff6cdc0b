package io.fraudstream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.engine.console.Actions;
import io.fraudstream.engine.console.CaseRecord;
import io.fraudstream.engine.console.ConsoleServer;
import io.fraudstream.engine.console.ConsoleView;
import io.fraudstream.engine.console.Operators;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.Feature;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

/**
 * The heap the analyst console's view holds once full, and that it stays bounded however many
 * decisions it reads:
 *
 * <pre>
 * java -Xmx4g -cp benchmarks.jar io.fraudstream.benchmarks.ConsoleMemoryBenchmark DECISIONS [DECISIONS …]
 * </pre>
 *
 * For each count it feeds that many decisions (every feature, one in five flagged, users cycling
 * over 100,000, groups of three users sharing a device, payees and IP addresses spread wide
 * enough to fill the console's table of links) to a view of the console's defaults (10,000
 * flagged, 100,000 users), with a case record for one flagged decision in ten, and prints the
 * heap used after a full collection, less the heap before. Then it serves the view over HTTP and
 * prints the median time of the case queue and of one case's page (its timeline and ring
 * included), as a browser asks for them.
 */
public final class ConsoleMemoryBenchmark {

  private ConsoleMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: ConsoleMemoryBenchmark DECISIONS [DECISIONS ...]");
      System.exit(2);
    }
    for (String arg : args) {
      int decisions = Integer.parseInt(arg);
      long before = usedAfterGc();
      ConsoleView view = fill(decisions);
      long after = usedAfterGc();
      System.out.printf(Locale.ROOT, "%,d decisions read, %,d flagged held: %.1f MB of heap%n", decisions, view.size(), (after - before) / 1e6);
      pageTimes(view);
    }
  }

  private static ConsoleView fill(int decisions) {
    ConsoleView view = new ConsoleView(10_000, 100_000);
    Random random = new Random(1);
    Instant now = Instant.now();
    for (int i = 0; i < decisions; i++) {
      Map<String, Double> features = new HashMap<>();
      for (Feature feature : Feature.all()) {
        features.put(feature.featureName(), random.nextDouble());
      }
      Tier tier = i % 10 == 0 ? Tier.BLOCK : i % 10 == 1 ? Tier.CHALLENGE : Tier.ALLOW;
      view.decision(Decision.builder().paymentId("p" + i).user("u" + (i % 100_000)).timestamp(now.plusMillis(i)).amount(10)
          .currency("EUR").merchant("m" + (i % 5_000)).device(String.format(Locale.ROOT, "hmac:%016x", (i % 100_000) / 3))
          .country("hmac:fedcba9876543210").counterparty(String.format(Locale.ROOT, "hmac:%016x", 1L << 40 | (i % 150_000)))
          .ip(String.format(Locale.ROOT, "hmac:%016x", 2L << 40 | (i % 200_000)))
          .tier(tier).score(0.5).modelTier(tier).reasons(List.of("a merchant this user has not used before", "amount 3.3x this user's usual"))
          .modelVersion("xgb-1").modelProvenance("bundle-1").rulesVersion("none").features(features).decidedAt(now).build());
      if (i % 1_000 == 0) {
        view.label("p" + i, i % 3 == 0);
      }
      if (i % 100 == 0) {
        String user = "u" + (i % 100_000);
        view.caseRecord(new CaseRecord(CaseRecord.idOf(user, "p" + i), user, now, CaseRecord.Status.INVESTIGATING, "alice",
            List.of(new CaseRecord.Comment("alice", now, "looked at the device's other users")), List.of("p" + i), null, 1, now, "alice"));
      }
    }
    return view;
  }

  private static void pageTimes(ConsoleView view) throws Exception {
    Properties nowhere = new Properties();
    nowhere.put("bootstrap.servers", "127.0.0.1:9");
    try (Actions actions = new Actions(nowhere, Topics.defaults(), "console-audit", "cases");
         ConsoleServer server = ConsoleServer.start("127.0.0.1", 0, view, Operators.parse(""), actions, List.of(), List.of())) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port() + "/";
      JsonNode cases = new ObjectMapper().readTree(get(http, base + "api/cases?status=all").body());
      String id = cases.get("items").get(0).get("id").asText();
      String casePage = base + "api/case?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8);
      System.out.printf(Locale.ROOT, "  %,d cases; case queue: median %.1f ms; one case's page (%,d B): median %.1f ms%n",
          cases.get("total").asLong(), median(http, base + "api/cases"), get(http, casePage).body().length(), median(http, casePage));
    }
  }

  private static double median(HttpClient http, String url) throws Exception {
    double[] millis = new double[21];
    for (int i = 0; i < millis.length; i++) {
      long start = System.nanoTime();
      get(http, url);
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    return millis[millis.length / 2];
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + ": " + response.statusCode() + " " + response.body());
    }
    return response;
  }

  private static long usedAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
