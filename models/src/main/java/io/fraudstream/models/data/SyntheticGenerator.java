package io.fraudstream.models.data;

import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A seeded, labelled payment generator, so that the demo and the tests run without any file.
 *
 * <p>Each user has habits: a usual amount, a daily rhythm, one or two devices (some shared by a
 * household of two), favourite merchants, a few regular payees and a home location. Fraud comes
 * from a ring of 40 devices, each used against several victims. Optional fields are missing at the same
 * rates for every payment, fraud or not. Some users are hit by one fraud episode of one of three kinds:
 * <ul>
 *   <li>{@link FraudPattern#CARD_TESTING}: a burst of tiny payments seconds apart at unknown
 *       merchants from a new device;</li>
 *   <li>{@link FraudPattern#ACCOUNT_TAKEOVER}: a new device far from home sending a few large
 *       transfers to new counterparties;</li>
 *   <li>{@link FraudPattern#AMOUNT_SPIKE}: stolen card details spent at several times the usual
 *       amount at unknown merchants.</li>
 * </ul>
 * With {@link Settings#challenges}, the payments a user makes from a device not yet trusted carry
 * the outcome of the step-up verification the app asked for ({@link #answer}). The same seed and settings always give the same payments.
 */
public final class SyntheticGenerator {

  /** The kinds of fraud the generator plants. */
  public enum FraudPattern { CARD_TESTING, ACCOUNT_TAKEOVER, AMOUNT_SPIKE }

  /**
   * @param users number of users
   * @param days number of days of history
   * @param seed random seed
   * @param fraudUserShare share of users who suffer one fraud episode
   * @param start the first day
   * @param patterns the kinds of fraud planted, each episode one of them at random
   * @param challenges whether the payments carry the outcome of the step-up verification the app asked for
   *     ({@link #withChallenges}); off by default, as a feed with it needs its results published to match the offline replay
   */
  public record Settings(int users, int days, long seed, double fraudUserShare, Instant start, List<FraudPattern> patterns,
                         boolean challenges) {
    public Settings {
      patterns = List.copyOf(new TreeSet<>(patterns));
      if (patterns.isEmpty()) {
        throw new IllegalArgumentException("at least one fraud pattern is needed; with no fraud, set the fraud share to 0");
      }
      if (users < 1) {
        throw new IllegalArgumentException("users must be at least 1, got " + users);
      }
      if (days < 2) {
        throw new IllegalArgumentException("days must be at least 2, got " + days);
      }
      if (!(fraudUserShare >= 0 && fraudUserShare <= 1)) {
        throw new IllegalArgumentException("fraud user share must be within [0, 1], got " + fraudUserShare);
      }
    }

    public static Settings of(int users, int days, long seed) {
      return new Settings(users, days, seed, 0.08, Instant.parse("2024-01-01T00:00:00Z"), List.of(FraudPattern.values()), false);
    }

    /** The same settings, with the outcome of the app's step-up verifications on the payments it challenged, or without. */
    public Settings withChallenges(boolean with) {
      return new Settings(users, days, seed, fraudUserShare, start, patterns, with);
    }

    public Settings withFraud(double share, List<FraudPattern> kinds) {
      return new Settings(users, days, seed, share, start, kinds, challenges);
    }
  }

  private static final String[] COUNTRIES = {"BE", "NL", "FR", "DE", "ES", "IT", "PT", "IE"};
  private static final String[] CATEGORIES = {"grocery", "restaurant", "transport", "retail", "utilities", "entertainment"};
  private static final int MERCHANTS = 2_000;
  private static final int FRAUD_RING_DEVICES = 40;
  private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();

  private SyntheticGenerator() {}

  /**
   * The first {@code count} payments, in event-time order, of {@code users} users with the default
   * settings and {@code seed}, generating as many days as that takes (a live feed's payments of users
   * with their usual devices and merchants, for warm-ups and benchmarks).
   */
  public static List<Transaction> first(int count, int users, long seed) {
    for (int days = 2; ; days *= 2) {
      List<Transaction> generated = generate(Settings.of(users, days, seed));
      if (generated.size() >= count) {
        return generated.subList(0, count);
      }
    }
  }

  /** Generates all payments, in event-time order. */
  public static List<Transaction> generate(Settings settings) {
    SplittableRandom root = new SplittableRandom(settings.seed());
    List<Transaction> out = new ArrayList<>();
    for (int u = 0; u < settings.users(); u++) {
      generateUser(settings, u, root.split(), out);
    }
    out.sort(Comparator.comparing(Transaction::timestamp).thenComparing(Transaction::id));
    return settings.challenges() ? withChallenges(out, new SplittableRandom(settings.seed() ^ CHALLENGE_SEED)) : out;
  }

  /** Who answers a challenge how: legitimate users pass or leave it; fraudsters fail or abandon it. */
  public static final double LEGIT_PASS_RATE = 0.95;
  public static final double FRAUD_FAIL_RATE = 0.7;
  private static final long CHALLENGE_SEED = 0x5eed_c4a1_1e6eL;

  /** How a challenge of a payment ends, at the stated rates: the generator's history and the demo's live answers alike. */
  public static ChallengeResult.Outcome answer(boolean fraud, SplittableRandom random) {
    if (fraud) {
      return random.nextDouble() < FRAUD_FAIL_RATE ? ChallengeResult.Outcome.FAILED : ChallengeResult.Outcome.ABANDONED;
    }
    return random.nextDouble() < LEGIT_PASS_RATE ? ChallengeResult.Outcome.PASSED : ChallengeResult.Outcome.ABANDONED;
  }

  /**
   * The step-up verification the payment app asked for in this history, and how it ended: the
   * device of a user's first payment is trusted, and every payment from a device not trusted yet
   * was challenged and answered as {@link #answer} says; a passed challenge trusts the device.
   * Drawn from a random of its own, so a seed gives the same payments as before challenges were generated.
   */
  private static List<Transaction> withChallenges(List<Transaction> ordered, SplittableRandom random) {
    Map<String, Set<String>> trusted = new HashMap<>();
    List<Transaction> out = new ArrayList<>(ordered.size());
    for (Transaction tx : ordered) {
      Set<String> devices = trusted.computeIfAbsent(tx.user(), user -> new HashSet<>());
      if (tx.device() == null) {
        out.add(tx);
      } else if (devices.isEmpty() || devices.contains(tx.device())) {
        devices.add(tx.device());
        out.add(tx);
      } else {
        ChallengeResult.Outcome outcome = answer(Boolean.TRUE.equals(tx.label()), random);
        if (outcome == ChallengeResult.Outcome.PASSED) {
          devices.add(tx.device());
        }
        out.add(tx.toBuilder().challenge(outcome).build());
      }
    }
    return out;
  }

  private static void generateUser(Settings settings, int index, SplittableRandom random, List<Transaction> out) {
    String user = String.format(Locale.ROOT, "u%05d", index);
    double usualAmount = Math.exp(3.2 + 0.7 * random.nextDouble() * 2 - 0.7);
    double perDay = 0.5 + 3.5 * random.nextDouble();
    double activeHour = 8 + 12 * random.nextDouble();
    String country = COUNTRIES[random.nextInt(COUNTRIES.length)];
    double homeLat = 38 + 15 * random.nextDouble();
    double homeLon = -8 + 22 * random.nextDouble();
    String[] devices = new String[1 + random.nextInt(2)];
    for (int d = 0; d < devices.length; d++) {
      devices[d] = "dev-" + user + "-" + d;
    }
    if (devices.length == 2 && index / 2 % 4 == 0) {
      // Some households share a tablet, so a device with two users is not by itself a sign of fraud.
      devices[1] = "dev-home-" + index / 2;
    }
    String[] favourites = new String[5 + random.nextInt(11)];
    for (int m = 0; m < favourites.length; m++) {
      favourites[m] = merchant(random.nextInt(MERCHANTS));
    }
    String[] payees = new String[1 + random.nextInt(3)];
    for (int p = 0; p < payees.length; p++) {
      payees[p] = "payee-" + user + "-" + p;
    }
    String ip = "10." + (index >> 8 & 0xFF) + "." + (index & 0xFF) + ".1";
    long startMillis = settings.start().toEpochMilli();

    int sequence = 0;
    for (int day = 0; day < settings.days(); day++) {
      int payments = poisson(random, perDay);
      for (int p = 0; p < payments; p++) {
        double hour = Math.min(23.99, Math.max(0, activeHour + 3 * gaussian(random)));
        long time = startMillis + day * DAY_MILLIS + (long) (hour * 3_600_000);
        double amount = round2(usualAmount * Math.exp(0.5 * gaussian(random)));
        String merchant = random.nextDouble() < 0.9 ? favourites[random.nextInt(favourites.length)] : merchant(random.nextInt(MERCHANTS));
        String device = random.nextDouble() < 0.97 ? devices[random.nextInt(devices.length)] : "dev-" + user + "-x" + day;
        // One payment in twenty is a transfer to one of the user's regular payees.
        boolean transfer = random.nextDouble() < 0.05;
        out.add(withMissingFields(random, new Transaction.Builder(user + "-" + sequence++, Instant.ofEpochMilli(time), user, amount)
            .currency("EUR").merchant(transfer ? null : merchant)
            .counterparty(transfer ? payees[random.nextInt(payees.length)] : null)
            .category(transfer ? "transfer" : CATEGORIES[random.nextInt(CATEGORIES.length)])
            .channel("app").device(device).ip(ip).country(country)
            .location(round4(homeLat + 0.05 * gaussian(random)), round4(homeLon + 0.05 * gaussian(random)))
            .label(false)));
      }
    }

    if (random.nextDouble() < settings.fraudUserShare()) {
      FraudPattern pattern = settings.patterns().get(random.nextInt(settings.patterns().size()));
      // Leave the user a few days of history first, as real fraud rarely hits brand-new accounts.
      int day = 3 + random.nextInt(settings.days() - 3 > 0 ? settings.days() - 3 : 1);
      long at = startMillis + day * DAY_MILLIS + (long) (random.nextDouble() * DAY_MILLIS);
      plantFraud(pattern, user, usualAmount, at, new double[] {homeLat, homeLon}, country, random, out, sequence);
    }
  }

  private static void plantFraud(FraudPattern pattern, String user, double usualAmount, long at, double[] home,
      String homeCountry, SplittableRandom random, List<Transaction> out, int sequence) {
    // Fraudsters work from a few devices, each used against several victims.
    String fraudDevice = "dev-ring-" + random.nextInt(FRAUD_RING_DEVICES);
    String fraudIp = "198.51.100." + random.nextInt(255);
    String fraudCountry = COUNTRIES[random.nextInt(COUNTRIES.length)];
    double fraudLat = 38 + 15 * random.nextDouble();
    double fraudLon = -8 + 22 * random.nextDouble();
    switch (pattern) {
      case CARD_TESTING -> {
        int count = 8 + random.nextInt(13);
        long time = at;
        for (int i = 0; i < count; i++) {
          time += 5_000 + random.nextInt(35_000);
          out.add(withMissingFields(random, fraud(user, sequence++, time, round2(0.5 + 4.5 * random.nextDouble()))
              .merchant(merchant(MERCHANTS + random.nextInt(500))).category("digital").channel("web")
              .device(fraudDevice).ip(fraudIp).country(fraudCountry).location(round4(fraudLat), round4(fraudLon))));
        }
      }
      case ACCOUNT_TAKEOVER -> {
        int count = 1 + random.nextInt(3);
        long time = at;
        for (int i = 0; i < count; i++) {
          time += 600_000 + random.nextInt(3_000_000);
          out.add(withMissingFields(random, fraud(user, sequence++, time, round2(usualAmount * (6 + 14 * random.nextDouble())))
              .category("transfer").channel("app")
              .counterparty("mule-" + random.nextInt(10_000)).device(fraudDevice).ip(fraudIp).country("XX")
              .location(round4(-30 + 10 * random.nextDouble()), round4(110 + 10 * random.nextDouble()))));
        }
      }
      case AMOUNT_SPIKE -> {
        int count = 2 + random.nextInt(4);
        long time = at;
        for (int i = 0; i < count; i++) {
          time += 1_800_000 + random.nextInt(14_400_000);
          out.add(withMissingFields(random, fraud(user, sequence++, time, round2(usualAmount * (4 + 6 * random.nextDouble())))
              .merchant(merchant(MERCHANTS + random.nextInt(500))).category("retail").channel("web")
              .device(fraudDevice).ip(fraudIp).country(homeCountry)
              .location(round4(home[0] + 0.05 * gaussian(random)), round4(home[1] + 0.05 * gaussian(random)))));
        }
      }
      default -> throw new IllegalStateException("unknown pattern " + pattern);
    }
  }

  /**
   * Drops optional fields at the same rates for every payment, fraud or not, so that a model
   * cannot learn "a field is missing" as a sign of fraud from the generator's habits.
   */
  private static Transaction withMissingFields(SplittableRandom random, Transaction.Builder builder) {
    Transaction full = builder.build();
    Transaction.Builder out = full.toBuilder();
    if (random.nextDouble() < 0.15) {
      out.location(null, null);
    }
    if (random.nextDouble() < 0.10) {
      out.ip(null);
    }
    if (random.nextDouble() < 0.05) {
      out.device(null);
    }
    if (random.nextDouble() < 0.05) {
      out.country(null);
    }
    return out.build();
  }

  private static Transaction.Builder fraud(String user, int sequence, long time, double amount) {
    return new Transaction.Builder(user + "-" + sequence, Instant.ofEpochMilli(time), user, amount)
        .currency("EUR").label(true);
  }

  private static String merchant(int id) {
    return String.format(Locale.ROOT, "m%05d", id);
  }

  private static int poisson(SplittableRandom random, double mean) {
    double limit = Math.exp(-mean);
    double product = random.nextDouble();
    int count = 0;
    while (product > limit) {
      product *= random.nextDouble();
      count++;
    }
    return count;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static double round2(double value) {
    return Math.round(value * 100) / 100.0;
  }

  private static double round4(double value) {
    return Math.round(value * 10_000) / 10_000.0;
  }
}
