package io.fraudstream.engine.rules;

import io.fraudstream.engine.rules.Rules.Condition;
import io.fraudstream.engine.rules.Rules.Entity;
import io.fraudstream.engine.rules.Rules.Listed;
import io.fraudstream.engine.rules.Rules.Rule;
import io.fraudstream.features.Feature;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.Spelling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * Reads the rules file, one statement per line ({@code #} starts a comment):
 *
 * <pre>
 * allow user|device|merchant|country ID...
 * block user|device|merchant|country ID... [reason "TEXT"]
 * limit FEATURE MAX [challenge|block]
 * when CONDITION then challenge|block "REASON"
 * </pre>
 *
 * A condition compares features by name with numbers or each other ({@code > >= < <= == !=}),
 * a feature alone means "is not 0", and conditions combine with {@code and}, {@code or},
 * {@code not} and parentheses ({@code and} binds tighter). Identifiers with spaces or any of
 * {@code ()<>=!"} are written in double quotes.
 */
final class RulesParser {

  private RulesParser() {}

  static Rules parse(String source, String text, IdentifierHasher hasher) {
    Map<String, Listed> allowed = new LinkedHashMap<>();
    Map<String, Listed> blocked = new LinkedHashMap<>();
    List<Rule> limits = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    List<Rules.Statement> statements = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int line = i + 1;
      try {
        List<Token> tokens = tokenize(lines[i]);
        if (tokens.isEmpty()) {
          continue;
        }
        statements.add(new Rules.Statement(line, lines[i].strip()));
        Cursor in = new Cursor(tokens);
        String statement = in.word("a statement (allow, block, limit or when)").toLowerCase(Locale.ROOT);
        switch (statement) {
          case "allow" -> list(in, line, false, hasher, allowed, blocked);
          case "block" -> list(in, line, true, hasher, blocked, allowed);
          case "limit" -> limits.add(limit(in, line));
          case "when" -> rules.add(when(in, line));
          default -> throw new IllegalArgumentException("unknown statement '" + statement + "'; a line starts with allow, block, limit or when");
        }
      } catch (IllegalArgumentException e) {
        errors.add(source + " line " + line + ": " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new RulesException(String.join("\n", errors));
    }
    return new Rules(Rules.versionOf(text), statements, allowed, blocked, limits, rules);
  }

  private static void list(Cursor in, int line, boolean block, IdentifierHasher hasher, Map<String, Listed> list,
      Map<String, Listed> opposite) {
    Entity entity = entity(in.word("what to " + (block ? "block" : "allow") + ": user, device, merchant or country"));
    List<String> ids = new ArrayList<>();
    String reason = null;
    while (in.hasNext()) {
      Token token = in.next();
      if (block && !token.quoted() && token.text().equalsIgnoreCase("reason")) {
        reason = in.string("the reason in double quotes after 'reason'");
        break;
      }
      ids.add(token.text());
    }
    in.expectEnd();
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("no " + entity.word() + " to " + (block ? "block" : "allow") + " after '" + entity.word() + "'");
    }
    for (String id : ids) {
      String key = Rules.key(entity, entity.tokenised() ? hasher.token(id) : id);
      Listed other = opposite.get(key);
      if (other != null) {
        throw new IllegalArgumentException(entity.word() + " '" + id + "' is also on the " + (block ? "allow" : "block")
            + " list (line " + other.line() + "); keep it on one");
      }
      list.put(key, new Listed(entity, id, reason, line));
    }
  }

  private static Rule limit(Cursor in, int line) {
    Feature feature = feature(in.word("the feature to limit, e.g. amount or tx_count_1m"));
    String maximum = in.word("the limit, a number");
    double limit = number(maximum).orElseThrow(() -> new IllegalArgumentException("the limit must be a number, got '" + maximum + "'"));
    Tier tier = in.hasNext() ? tier(in.word("the tier")) : Tier.BLOCK;
    in.expectEnd();
    int index = feature.ordinal();
    return new Rule(line, values -> values[index] > limit, tier, null, feature, limit);
  }

  private static Rule when(Cursor in, int line) {
    Condition condition = or(in);
    String then = in.word("'then' after the condition");
    if (!then.equalsIgnoreCase("then")) {
      throw new IllegalArgumentException("expected 'and', 'or' or 'then' but found '" + then + "'");
    }
    Tier tier = tier(in.word("the tier after 'then': challenge or block"));
    String reason = in.string("the reason in double quotes after the tier, e.g. \"burst from a new device\"");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("the reason must not be empty: it is what the decision tells people");
    }
    in.expectEnd();
    return new Rule(line, condition, tier, reason, null, 0);
  }

  private static Condition or(Cursor in) {
    Condition left = and(in);
    while (in.peekWord("or")) {
      in.next();
      Condition a = left;
      Condition b = and(in);
      left = values -> a.test(values) || b.test(values);
    }
    return left;
  }

  private static Condition and(Cursor in) {
    Condition left = unary(in);
    while (in.peekWord("and")) {
      in.next();
      Condition a = left;
      Condition b = unary(in);
      left = values -> a.test(values) && b.test(values);
    }
    return left;
  }

  private static Condition unary(Cursor in) {
    if (in.peekWord("not")) {
      in.next();
      Condition inner = unary(in);
      return values -> !inner.test(values);
    }
    if (in.peekSymbol("(")) {
      in.next();
      Condition inner = or(in);
      if (!in.peekSymbol(")")) {
        throw new IllegalArgumentException("missing ')'" + (in.hasNext() ? " before '" + in.peek().text() + "'" : " at the end of the line"));
      }
      in.next();
      return inner;
    }
    String first = in.word("a feature name or '('");
    ToDoubleFunction<double[]> left = operand(first);
    if (!in.hasNext() || !isComparison(in.peek())) {
      if (number(first).isPresent()) {
        throw new IllegalArgumentException("a number alone is not a condition: compare it, e.g. 'amount > " + first + "'");
      }
      return values -> left.applyAsDouble(values) != 0;
    }
    String op = in.next().text();
    ToDoubleFunction<double[]> right = operand(in.word("a feature name or number after '" + op + "'"));
    return switch (op) {
      case ">" -> values -> left.applyAsDouble(values) > right.applyAsDouble(values);
      case ">=" -> values -> left.applyAsDouble(values) >= right.applyAsDouble(values);
      case "<" -> values -> left.applyAsDouble(values) < right.applyAsDouble(values);
      case "<=" -> values -> left.applyAsDouble(values) <= right.applyAsDouble(values);
      case "==" -> values -> left.applyAsDouble(values) == right.applyAsDouble(values);
      default -> values -> left.applyAsDouble(values) != right.applyAsDouble(values);
    };
  }

  private static boolean isComparison(Token token) {
    return !token.quoted() && List.of(">", ">=", "<", "<=", "==", "!=").contains(token.text());
  }

  private static ToDoubleFunction<double[]> operand(String word) {
    var constant = number(word);
    if (constant.isPresent()) {
      double value = constant.getAsDouble();
      return values -> value;
    }
    int index = feature(word).ordinal();
    return values -> values[index];
  }

  private static OptionalDouble number(String word) {
    try {
      return OptionalDouble.of(Double.parseDouble(word.replace("_", "")));
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  private static Feature feature(String name) {
    for (Feature feature : Feature.all()) {
      if (feature.featureName().equals(name)) {
        return feature;
      }
    }
    String hint = Spelling.closest(name, Feature.names()).map(known -> " (did you mean " + known + "?)").orElse("");
    throw new IllegalArgumentException("unknown feature '" + name + "'" + hint + "; docs/reference/features.md lists every feature");
  }

  private static Entity entity(String word) {
    try {
      return Entity.valueOf(word.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot list '" + word + "': lists hold user, device, merchant or country");
    }
  }

  private static Tier tier(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "challenge" -> Tier.CHALLENGE;
      case "block" -> Tier.BLOCK;
      case "allow" -> throw new IllegalArgumentException("a rule can only raise the tier (challenge or block); let payments through with an allow list");
      default -> throw new IllegalArgumentException("unknown tier '" + word + "'; use challenge or block");
    };
  }

  private record Token(String text, boolean quoted) {}

  private static final String SYMBOL_CHARS = "()<>=!";

  private static List<Token> tokenize(String line) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        break;
      } else if (c == '"') {
        int end = line.indexOf('"', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("a quote opened at column " + (i + 1) + " is never closed");
        }
        tokens.add(new Token(line.substring(i + 1, end), true));
        i = end + 1;
      } else if (c == '(' || c == ')') {
        tokens.add(new Token(String.valueOf(c), false));
        i++;
      } else if (SYMBOL_CHARS.indexOf(c) >= 0) {
        int end = i + 1 < line.length() && line.charAt(i + 1) == '=' ? i + 2 : i + 1;
        String op = line.substring(i, end);
        if (op.equals("=") || op.equals("!")) {
          throw new IllegalArgumentException("'" + op + "' at column " + (i + 1) + " is not an operator; use == or !=");
        }
        tokens.add(new Token(op, false));
        i = end;
      } else {
        int end = i;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end)) && line.charAt(end) != '"'
            && line.charAt(end) != '#' && SYMBOL_CHARS.indexOf(line.charAt(end)) < 0) {
          end++;
        }
        tokens.add(new Token(line.substring(i, end), false));
        i = end;
      }
    }
    return tokens;
  }

  private static final class Cursor {
    private final List<Token> tokens;
    private int position;

    Cursor(List<Token> tokens) {
      this.tokens = tokens;
    }

    boolean hasNext() {
      return position < tokens.size();
    }

    Token peek() {
      return tokens.get(position);
    }

    Token next() {
      return tokens.get(position++);
    }

    boolean peekWord(String word) {
      return hasNext() && !peek().quoted() && peek().text().equalsIgnoreCase(word);
    }

    boolean peekSymbol(String symbol) {
      return hasNext() && !peek().quoted() && peek().text().equals(symbol);
    }

    String word(String expected) {
      if (!hasNext()) {
        throw new IllegalArgumentException("expected " + expected + " at the end of the line");
      }
      Token token = next();
      if (token.quoted() || (token.text().length() <= 2 && Arrays.asList("(", ")", ">", ">=", "<", "<=", "==", "!=").contains(token.text()))) {
        throw new IllegalArgumentException("expected " + expected + " but found '" + token.text() + "'");
      }
      return token.text();
    }

    String string(String expected) {
      if (!hasNext() || !peek().quoted()) {
        throw new IllegalArgumentException("expected " + expected + (hasNext() ? " but found '" + peek().text() + "'" : ""));
      }
      return next().text();
    }

    void expectEnd() {
      if (hasNext()) {
        throw new IllegalArgumentException("unexpected '" + peek().text() + "' after the end of the statement");
      }
    }
  }
}
