package io.fraudstream.engine.rules;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Sha256;
import io.fraudstream.features.Transaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An operator's explicit rules, as read from a rules file (syntax in docs/tune.md and in
 * {@link RulesParser}): allow and block lists of users, devices, merchants and countries, hard
 * limits on features, and conditions over named features, each with a tier and a reason.
 *
 * <p>Immutable and thread-safe. Devices and countries reach the decision only as tokens, so list
 * entries for them are tokenised with the engine's secret when the file is read.
 */
public final class Rules {

  /** What a list entry names. */
  public enum Entity {
    USER, DEVICE, MERCHANT, COUNTRY;

    String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The payment's identifier of this kind, as it is at decision time (device and country as tokens). */
    public String of(Transaction tx) {
      return switch (this) {
        case USER -> tx.user();
        case DEVICE -> tx.device();
        case MERCHANT -> tx.merchant();
        case COUNTRY -> tx.country();
      };
    }

    /** Whether list entries of this kind are compared as tokens. */
    boolean tokenised() {
      return this == DEVICE || this == COUNTRY;
    }
  }

  /** An entry of the allow or block list, with the line it came from. */
  public record Listed(Entity entity, String id, String reason, int line) {
    public String describe(String list) {
      String what = "the " + entity.word() + " is on the " + list + " list";
      return reason == null ? what : what + ": " + reason;
    }
  }

  /** A condition over a payment's feature values, in catalogue order. */
  @FunctionalInterface
  interface Condition {
    boolean test(double[] values);
  }

  /**
   * A rule: when {@code condition} holds the payment gets at least {@code tier}. A hard limit
   * ({@code limited} set) is one feature above a maximum, and outranks the allow list.
   */
  record Rule(int line, Condition condition, Tier tier, String reason, Feature limited, double limit) {
    String reasonFor(double[] values) {
      if (limited == null) {
        return reason;
      }
      return limited.featureName() + " " + number(values[limited.ordinal()]) + " over the limit of " + number(limit);
    }
  }

  /** A rule that fired on a payment: its line in the file, its tier and its reason in words. */
  public record Hit(int line, Tier tier, String reason) {}

  /** A statement of the rules file as written, with its line: what a backtest reports on. */
  public record Statement(int line, String text) {}

  /**
   * What the rules say about one payment. The {@link io.fraudstream.engine.decision.DecisionPolicy} ranks these against the
   * model: block list, then hard limits, then the allow list, then the model and the rules.
   */
  public record Judgement(Listed blockListed, List<Hit> limitHits, Listed allowListed, List<Hit> ruleHits) {}

  private static final Rules NONE = new Rules("none", List.of(), Map.of(), Map.of(), List.of(), List.of());

  private final String version;
  private final List<Statement> statements;
  private final Map<String, Listed> allowed;
  private final Map<String, Listed> blocked;
  private final List<Rule> limits;
  private final List<Rule> rules;

  Rules(String version, List<Statement> statements, Map<String, Listed> allowed, Map<String, Listed> blocked, List<Rule> limits,
      List<Rule> rules) {
    this.version = version;
    this.statements = List.copyOf(statements);
    this.allowed = Map.copyOf(allowed);
    this.blocked = Map.copyOf(blocked);
    this.limits = List.copyOf(limits);
    this.rules = List.copyOf(rules);
  }

  /** No rules at all: the model alone decides. */
  public static Rules none() {
    return NONE;
  }

  /**
   * Reads a rules file. Throws {@link RulesException} naming every bad line, so a file is either
   * taken whole or refused whole.
   */
  public static Rules load(Path file, IdentifierHasher hasher) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RulesException("rules file " + file + " cannot be read: " + e.getMessage());
    }
    return RulesParser.parse(file.toString(), text, hasher);
  }

  /** Parses rules from text; {@code source} names it in error messages. */
  public static Rules parse(String source, String text, IdentifierHasher hasher) {
    return RulesParser.parse(source, text, hasher);
  }

  /** {@code rules-} and a hash of the file's text: equal versions mean equal rules. */
  public String version() {
    return version;
  }

  static String versionOf(String text) {
    return "rules-" + Sha256.shortHex(text.getBytes(StandardCharsets.UTF_8), 12);
  }

  /** Every statement of the file, in line order. */
  public List<Statement> statements() {
    return statements;
  }

  /** Number of list entries and rules, for logs. */
  public String summary() {
    return allowed.size() + " allowed, " + blocked.size() + " blocked, " + limits.size() + " limits, " + rules.size() + " rules";
  }

  private static final Judgement NOTHING = new Judgement(null, List.of(), null, List.of());

  /** Judges one payment, already pseudonymised, on its feature values. */
  public Judgement judge(Transaction tx, FeatureVector features) {
    if (allowed.isEmpty() && blocked.isEmpty() && limits.isEmpty() && rules.isEmpty()) {
      return NOTHING; // the common case of no rules costs no copy of the vector
    }
    double[] values = features.toArray();
    return new Judgement(find(blocked, tx), hits(limits, values), find(allowed, tx), hits(rules, values));
  }

  private static Listed find(Map<String, Listed> list, Transaction tx) {
    if (list.isEmpty()) {
      return null;
    }
    for (Entity entity : Entity.values()) {
      String id = entity.of(tx);
      if (id != null) {
        Listed listed = list.get(key(entity, id));
        if (listed != null) {
          return listed;
        }
      }
    }
    return null;
  }

  private static List<Hit> hits(List<Rule> candidates, double[] values) {
    List<Hit> hits = List.of();
    for (Rule rule : candidates) {
      if (rule.condition().test(values)) {
        if (hits.isEmpty()) {
          hits = new ArrayList<>(2);
        }
        hits.add(new Hit(rule.line(), rule.tier(), rule.reasonFor(values)));
      }
    }
    return hits;
  }

  /** The key of an entity on the blocks topic and in the lists, e.g. {@code user:u123}. */
  public static String key(Entity entity, String id) {
    return entity.word() + ":" + id;
  }

  /** A number as a person would write it: no trailing ".0" on whole numbers. */
  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.2f", value);
  }
}
