package io.fraudstream.engine.console;

import io.fraudstream.engine.decision.Decision;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which users share a device, a payee or an IP address, by the tokens on their decisions (never a
 * raw value), and the rings they form. Bounded: the {@link #TOKENS} tokens seen most recently,
 * each with the last {@link #USERS_PER_TOKEN} users who paid with it; a ring stops at
 * {@link #RING_USERS} users or {@link #RING_HOPS} hops from its user; each user's last
 * {@link #TOKENS_PER_USER} tokens are indexed, so a ring is found without a scan. Not thread-safe:
 * {@link ConsoleView} guards it.
 */
final class Links {

  static final int TOKENS = 100_000;
  static final int USERS_PER_TOKEN = 16;
  static final int RING_USERS = 50;
  static final int RING_HOPS = 3;
  static final int TOKENS_PER_USER = 12;
  static final int USERS = 100_000;

  /** A shared token: its kind (device, payee, ip) and value. */
  record Token(String kind, String value) {}

  /** The users reached from one user, and the tokens that link them. */
  record Ring(List<String> users, List<Token> tokens, List<String[]> edges) {}

  private final LinkedHashMap<Token, LinkedHashSet<String>> usersOf = Bounded.map(TOKENS, true);

  private final LinkedHashMap<String, LinkedHashSet<Token>> tokensOf = Bounded.map(USERS, true);

  void decision(Decision d) {
    if (d.user() == null) {
      return;
    }
    link(new Token("device", d.device()), d.user());
    link(new Token("payee", d.counterparty()), d.user());
    link(new Token("ip", d.ip()), d.user());
  }

  private void link(Token token, String user) {
    if (token.value() == null || token.value().isEmpty()) {
      return;
    }
    LinkedHashSet<String> users = usersOf.computeIfAbsent(token, t -> new LinkedHashSet<>());
    users.remove(user);
    users.add(user);
    if (users.size() > USERS_PER_TOKEN) {
      users.remove(users.iterator().next());
    }
    LinkedHashSet<Token> tokens = tokensOf.computeIfAbsent(user, u -> new LinkedHashSet<>());
    tokens.remove(token);
    tokens.add(token);
    if (tokens.size() > TOKENS_PER_USER) {
      tokens.remove(tokens.iterator().next());
    }
  }

  /** The tokens {@code user} shares with someone, as the bounded tables still hold them. */
  private List<Token> sharedTokens(String user) {
    List<Token> shared = new ArrayList<>();
    for (Token token : tokensOf.getOrDefault(user, new LinkedHashSet<>())) {
      LinkedHashSet<String> users = usersOf.get(token);
      if (users != null && users.size() > 1 && users.contains(user)) {
        shared.add(token);
      }
    }
    return shared;
  }

  /**
   * The connected group around {@code user}: users linked to it through shared tokens, breadth
   * first, and the tokens shared by at least two of them.
   */
  Ring ring(String user) {
    Set<String> users = new LinkedHashSet<>(List.of(user));
    Set<Token> tokens = new LinkedHashSet<>();
    List<String[]> edges = new ArrayList<>();
    ArrayDeque<String> frontier = new ArrayDeque<>(List.of(user));
    for (int hop = 0; hop < RING_HOPS && !frontier.isEmpty(); hop++) {
      ArrayDeque<String> next = new ArrayDeque<>();
      for (String from : frontier) {
        for (Token token : sharedTokens(from)) {
          if (!tokens.add(token)) {
            continue;
          }
          for (String to : usersOf.get(token)) {
            edges.add(new String[] {to, token.kind() + ":" + token.value()});
            if (users.size() < RING_USERS && users.add(to)) {
              next.add(to);
            }
          }
        }
      }
      frontier = next;
    }
    edges.removeIf(edge -> !users.contains(edge[0]));
    return new Ring(List.copyOf(users), List.copyOf(tokens), edges);
  }

  void forget(String user) {
    usersOf.values().forEach(users -> users.remove(user));
    usersOf.values().removeIf(LinkedHashSet::isEmpty);
    tokensOf.remove(user);
  }

  int tokenCount() {
    return usersOf.size();
  }
}
