package io.fraudstream.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.rules.Rules;
import io.fraudstream.engine.rules.Tier;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.models.FeatureRow;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelTrainer;
import io.fraudstream.models.OfflineReplay;
import io.fraudstream.models.data.SyntheticGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fraudstream explain} makes a recorded decision again and says whether it matches. */
class ExplainCommandTest {

  private static final String SECRET = "explain-test-secret-0123";

  @TempDir
  Path dir;

  private record Run(int code, String out) {}

  private static Run run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      return new Run(FraudstreamCli.execute(args), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  @Test
  void shouldReDeriveARecordedDecisionAndNoticeATamperedOne() throws Exception {
    List<FeatureRow> rows = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 20, 5)),
        SECRET.getBytes(StandardCharsets.UTF_8));
    ModelBundle bundle = ModelTrainer.train(rows, ModelTrainer.Settings.defaults("synthetic seed 5"));
    Path bundleFile = dir.resolve("model.bundle");
    bundle.save(bundleFile);
    Path rulesFile = dir.resolve("rules.txt");
    Files.writeString(rulesFile, "when amount > 200 and new_merchant then challenge \"large payment to a new merchant\"\n");
    Rules rules = Rules.load(rulesFile, new IdentifierHasher(SECRET));
    DecisionPolicy policy = new DecisionPolicy(bundle, rules, Duration.ofHours(24));

    // Decisions as the engine writes them: one JSON object per line, as a console consumer prints them.
    List<String> lines = new ArrayList<>();
    Decision flagged = null;
    for (FeatureRow row : rows.subList(rows.size() - 3_000, rows.size())) {
      Decision decision = policy.decide(new FeaturedTransaction(row.transaction(), row.features(), 0), Instant.now());
      lines.add(new String(Topics.DECISION_SERDE.serializer().serialize(null, decision), StandardCharsets.UTF_8));
      if (flagged == null && decision.tier() != Tier.ALLOW && decision.reasons().size() >= 2) {
        flagged = decision;
      }
    }
    assertTrue(flagged != null, "no flagged decision to explain");
    Path decisions = dir.resolve("decisions.jsonl");
    Files.write(decisions, lines);

    Run explained = run("explain", decisions.toString(), flagged.paymentId(), "--model", bundleFile.toString(),
        "--rules", rulesFile.toString(), "--hash-secret", SECRET);
    assertEquals(0, explained.code(), explained.out());
    assertTrue(explained.out().contains("MATCHES"), explained.out());
    assertTrue(explained.out().contains("1. " + flagged.reasons().get(0)), explained.out());

    // A record that claims another score than its features give is caught.
    String idField = "\"paymentId\":\"" + flagged.paymentId() + "\"";
    String original = lines.stream().filter(line -> line.contains(idField)).findFirst().orElseThrow();
    String tampered = original.replaceFirst("\"score\":[-0-9.Ee]+", "\"score\":0.123");
    assertTrue(!tampered.equals(original), original);
    Path edited = dir.resolve("edited.jsonl");
    Files.writeString(edited, tampered + "\n");
    Run mismatch = run("explain", edited.toString(), flagged.paymentId(), "--model", bundleFile.toString(),
        "--rules", rulesFile.toString(), "--hash-secret", SECRET);
    assertEquals(1, mismatch.code(), mismatch.out());
    assertTrue(mismatch.out().contains("DOES NOT MATCH") && mismatch.out().contains("score: recorded"), mismatch.out());

    Run noModel = run("explain", decisions.toString(), flagged.paymentId(), "--model", bundleFile.toString(), "--hash-secret", SECRET);
    assertEquals(1, noModel.code(), "without its rules file the decision cannot be made again");
  }

}
