package io.fraudstream.benchmarks;

import io.fraudstream.engine.console.ConsoleView;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.Feature;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The heap the analyst console's view holds once full, and that it stays bounded however many
 * decisions it reads:
 *
 * <pre>
 * java -Xmx4g -cp benchmarks.jar io.fraudstream.benchmarks.ConsoleMemoryBenchmark DECISIONS [DECISIONS …]
 * </pre>
 *
 * For each count it feeds that many decisions (60 features each, one in five flagged, users
 * cycling over 100,000) to a view of the console's defaults (10,000 flagged, 100,000 users) and
 * prints the heap used after a full collection, less the heap before.
 */
public final class ConsoleMemoryBenchmark {

  private ConsoleMemoryBenchmark() {}

  public static void main(String[] args) {
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
          .currency("EUR").merchant("m" + (i % 5_000)).device("hmac:0123456789abcdef").country("hmac:fedcba9876543210")
          .tier(tier).score(0.5).modelTier(tier).reasons(List.of("a merchant this user has not used before", "amount 3.3x this user's usual"))
          .modelVersion("xgb-1").modelProvenance("bundle-1").rulesVersion("none").features(features).decidedAt(now).build());
      if (i % 1_000 == 0) {
        view.label("p" + i, i % 3 == 0);
      }
    }
    return view;
  }

  private static long usedAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
