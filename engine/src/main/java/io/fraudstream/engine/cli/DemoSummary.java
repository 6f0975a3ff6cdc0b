package io.fraudstream.engine.cli;

import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.DriftCounts;
import io.fraudstream.models.data.SyntheticGenerator;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The demo's summary of what the engine did live: decisions, detection, speed, and the step-up loop. */
final class DemoSummary {

  private final PrintStream out;
  private final int rate;
  private final int labelDelayDays;

  DemoSummary(PrintStream out, int rate, int labelDelayDays) {
    this.out = out;
    this.rate = rate;
    this.labelDelayDays = labelDelayDays;
  }

  /** The start of the feed whose latencies are shown apart, as the JIT and the first fetches warm up. */
  private static final Duration WARM_UP = Duration.ofSeconds(5);

  /** What the engine decided of the feed, against its labels, and how fast, through the topic and through the decide endpoint. */
  void live(DemoFeeder.Fed feed, DemoOutputReader.Summary read, List<Transaction> payments) {
    long fraud = payments.stream().filter(tx -> Boolean.TRUE.equals(tx.label())).count();
    out.printf(Locale.ROOT, "   payments sent         %,d (+%d malformed on purpose)%n", feed.valid(), feed.malformed());
    out.printf(Locale.ROOT, "   decisions             %,d  (ALLOW %,d, CHALLENGE %,d, BLOCK %,d)%n", read.decisions(),
        read.tier(Tier.ALLOW), read.tier(Tier.CHALLENGE), read.tier(Tier.BLOCK));
    out.printf(Locale.ROOT, "   alerts                %,d%n", read.alerts());
    out.printf(Locale.ROOT, "   blocks                %,d%n", read.blocks());
    out.printf(Locale.ROOT, "   dead-letter records   %,d%s%n", read.deadLetters(),
        read.deadLetterReasons().isEmpty() ? "" : "  (" + String.join("; ", read.deadLetterReasons()) + ")");
    out.printf(Locale.ROOT, "   fraud in the feed     %,d of %,d payments (each fraud's label is published on '%s' after it;%n"
        + "                         entity risk counts labels only of payments older than %d days)%n", fraud, payments.size(), "labels",
        labelDelayDays);
    out.printf(Locale.ROOT, "   CHALLENGE or BLOCK    precision %s, recall %s%n",
        ratio(read.flaggedFraud(), read.flagged()), ratio(read.flaggedFraud(), fraud));
    out.printf(Locale.ROOT, "   BLOCK                 precision %s, recall %s%n",
        ratio(read.blockedFraud(), read.tier(Tier.BLOCK)), ratio(read.blockedFraud(), fraud));
    long refused = read.refusedByBlock();
    out.printf(Locale.ROOT, "     by model or rules   precision %s%n", ratio(read.blockedFraud() - read.refusedFraud(),
        read.tier(Tier.BLOCK) - refused));
    out.printf(Locale.ROOT, "     by a block in force %,d payments of blocked users refused (%,d of them fraud)%n", refused,
        read.refusedFraud());
    double seconds = (read.lastDecisionNanos() - feed.firstSendNanos()) / 1e9;
    out.printf(Locale.ROOT, "   throughput            %,.0f decisions/s over %.1f s (%s)%n", read.decisions() / seconds, seconds,
        rate > 0 ? "feed paced at " + String.format(Locale.ROOT, "%,d", rate) + "/s" : "feed unpaced");
    out.printf(Locale.ROOT, "   time per payment      features %.1f us (state read and write included), scoring %.1f us (means)%n",
        read.extractionMicros() / read.decisions(), read.scoringMicros() / read.decisions());
    // The first seconds include the JIT warming up and the first fetches: shown apart, not hidden.
    long[] all = read.latenciesMicros(Long.MIN_VALUE);
    long[] warm = read.latenciesMicros(feed.firstSendNanos() + WARM_UP.toNanos());
    out.printf(Locale.ROOT, "   end-to-end latency    p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms (sent -> decision readable with read_committed)%n",
        Pacing.percentile(all, 0.50) / 1000.0, Pacing.percentile(all, 0.99) / 1000.0, Pacing.percentile(all, 0.999) / 1000.0);
    if (warm.length > 0) {
      out.printf(Locale.ROOT, "     after the first %d s p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms (%,d payments)%n", WARM_UP.toSeconds(),
          Pacing.percentile(warm, 0.50) / 1000.0, Pacing.percentile(warm, 0.99) / 1000.0, Pacing.percentile(warm, 0.999) / 1000.0,
          warm.length);
    }
    long[] answers = feed.answerMicros(Long.MIN_VALUE);
    if (answers.length > 0) {
      long[] warmAnswers = feed.answerMicros(feed.firstSendNanos() + WARM_UP.toNanos());
      long[] committed = read.latenciesMicrosThroughEndpoint(feed.firstSendNanos() + WARM_UP.toNanos());
      out.printf(Locale.ROOT, "   answered inline       %,d payments on /v1/decide (a tenth of the users): p50 %.1f ms, p99 %.1f ms (request -> answer)%s%n",
          answers.length, Pacing.percentile(answers, 0.50) / 1000.0, Pacing.percentile(answers, 0.99) / 1000.0,
          feed.fallbacks() > 0 ? String.format(Locale.ROOT, "; %,d fallbacks past the 250 ms deadline", feed.fallbacks()) : "");
      out.printf(Locale.ROOT, "     after the first %d s p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms; the same payments' decisions readable with%n"
          + "                         read_committed p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms%n", WARM_UP.toSeconds(),
          Pacing.percentile(warmAnswers, 0.50) / 1000.0, Pacing.percentile(warmAnswers, 0.99) / 1000.0, Pacing.percentile(warmAnswers, 0.999) / 1000.0,
          Pacing.percentile(committed, 0.50) / 1000.0, Pacing.percentile(committed, 0.99) / 1000.0, Pacing.percentile(committed, 0.999) / 1000.0);
    }
  }

  /** Friction, and what the answers to challenges taught the engine. */
  void stepUp(DemoOutputReader.Summary read, long payments, DemoChallenges answers) {
    DemoOutputReader.StepUp stepUp = read.stepUp();
    long challenged = read.tier(Tier.CHALLENGE);
    out.printf(Locale.ROOT, "   friction              %,d challenges, %.1f per 1,000 payments; legitimate among them %s%n", challenged,
        payments == 0 ? 0 : 1000.0 * challenged / payments, ratio(stepUp.challengedLegit(), challenged));
    if (answers == null) {
      out.println("   challenge answers     none (--no-challenge-answers): every challenge was left unanswered");
      return;
    }
    Map<ChallengeResult.Outcome, Long> sent = answers.sent();
    out.printf(Locale.ROOT, "   challenge answers     passed %,d, failed %,d, abandoned %,d (legitimate users pass %.0f %%, fraudsters fail %.0f %%;"
            + " the rest abandon)%n", sent.get(ChallengeResult.Outcome.PASSED), sent.get(ChallengeResult.Outcome.FAILED),
        sent.get(ChallengeResult.Outcome.ABANDONED), 100 * SyntheticGenerator.LEGIT_PASS_RATE, 100 * SyntheticGenerator.FRAUD_FAIL_RATE);
    out.printf(Locale.ROOT, "   what they taught      %,d payments from a device verified by a passed challenge (%,d allowed);%n"
            + "                         %,d frauds decided after a failed challenge of their user (%,d blocked); %,d failed-verification alerts%n",
        stepUp.fromVerifiedDevice(), stepUp.fromVerifiedDeviceAllowed(), stepUp.fraudAfterFailedChallenge(),
        stepUp.fraudAfterFailedChallengeStopped(), stepUp.failedChallengeAlerts());
  }

  /** The live model's drift over the last day, as the engine serves it on /metrics: the three features that moved most, and the score. */
  void drift(MeterRegistry registry) {
    List<Gauge> features = registry.find("fraudstream.feature.drift").tag("window", "1d").gauges().stream()
        .filter(gauge -> !Double.isNaN(gauge.value())).sorted(Comparator.comparingDouble(Gauge::value).reversed()).limit(3).toList();
    Gauge score = registry.find("fraudstream.score.drift").tag("window", "1d").gauge();
    if (features.isEmpty() || score == null) {
      out.println("   drift                 not measured: fewer than 500 payments, or a model without training distributions");
      return;
    }
    String moved = features.stream().map(gauge -> String.format(Locale.ROOT, "%s %.3f (%s)", gauge.getId().getTag("feature"), gauge.value(),
        DriftCounts.verdict(gauge.value()))).collect(Collectors.joining(", "));
    out.printf(Locale.ROOT, "   drift (PSI, last day) score %.3f (%s); most drifted features %s%n", score.value(),
        DriftCounts.verdict(score.value()), moved);
  }

  private static String ratio(long numerator, long denominator) {
    return denominator == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f (%,d/%,d)", (double) numerator / denominator, numerator, denominator);
  }
}
