package io.fraudstream.engine.console;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.rules.Tier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cases, from two sources every console reads alike: the flagged decisions, which open and
 * join cases, and the {@code cases} topic, which holds what analysts did to them. A CHALLENGE or
 * BLOCK joins its user's case open at its decision time (a recorded case opened before it and not
 * closed before it), or else opens one whose id is the user and the payment. So two consoles that
 * have read the same records derive the same cases, and a case keeps its id once recorded even
 * after its first decision has left the console's queue. Not thread-safe: {@link ConsoleView}
 * guards it.
 */
final class CaseBook {

  /** Case records remembered, oldest change forgotten first. */
  static final int MAX_RECORDS = 100_000;

  /** A case as shown: its record (derived when nobody has changed it) and the flagged decisions of it still held. */
  record Case(CaseRecord record, List<ConsoleView.Flagged> flagged, Tier worstTier, double worstScore, Instant lastAt) {

    /** Every payment of the case known: those recorded and those held. */
    List<String> paymentIds() {
      List<String> ids = new ArrayList<>(record.payments());
      for (ConsoleView.Flagged each : flagged) {
        if (!ids.contains(each.decision().paymentId())) {
          ids.add(each.decision().paymentId());
        }
      }
      return ids;
    }
  }

  private final LinkedHashMap<String, CaseRecord> records = Bounded.map(MAX_RECORDS, false);

  /** A record read from the topic or just written here; an older version than one held is ignored. */
  void record(CaseRecord record) {
    CaseRecord held = records.get(record.id());
    if (held == null || held.version() <= record.version()) {
      records.remove(record.id());
      records.put(record.id(), record);
    }
  }

  void forget(String id) {
    records.remove(id);
  }

  /** Forgets every case of {@code user}; returns their ids. */
  List<String> forgetUser(String user) {
    List<String> ids = records.values().stream().filter(r -> r.user().equals(user)).map(CaseRecord::id).toList();
    ids.forEach(records::remove);
    return ids;
  }

  int recordCount() {
    return records.size();
  }

  /** Every case, from {@code flagged} (any order) and the records, newest activity first. */
  List<Case> cases(List<ConsoleView.Flagged> flagged) {
    return cases(flagged, null);
  }

  /**
   * The cases of {@code flagged} and of the records whose user the id {@code within} can name
   * ({@code <user>/…}); every record when it is null. {@code flagged} must hold every flagged
   * decision of those users, or the derivation differs from the whole one.
   */
  List<Case> cases(List<ConsoleView.Flagged> flagged, String within) {
    Map<String, List<CaseRecord>> byUser = new HashMap<>();
    for (CaseRecord record : records.values()) {
      if (within == null || within.startsWith(record.user() + "/")) {
        byUser.computeIfAbsent(record.user(), user -> new ArrayList<>()).add(record);
      }
    }
    byUser.values().forEach(list -> list.sort(Comparator.comparing(CaseRecord::openedAt)));
    List<ConsoleView.Flagged> inOrder = new ArrayList<>(flagged);
    inOrder.sort(Comparator.comparing(CaseBook::decidedAt).thenComparingLong(ConsoleView.Flagged::sequence));
    Map<String, List<ConsoleView.Flagged>> members = new LinkedHashMap<>();
    Map<String, CaseRecord> derived = new HashMap<>();
    Map<String, String> currentByUser = new HashMap<>();
    for (ConsoleView.Flagged each : inOrder) {
      Decision d = each.decision();
      if (d.user() == null) {
        continue;
      }
      Instant at = decidedAt(each);
      CaseRecord open = recordOpenAt(byUser.get(d.user()), at);
      String caseId;
      if (open != null) {
        caseId = open.id();
      } else {
        String current = currentByUser.get(d.user());
        CaseRecord currentRecord = current == null ? null : records.get(current);
        boolean currentOpen = current != null && (currentRecord == null || !currentRecord.status().closed());
        caseId = currentOpen ? current : CaseRecord.idOf(d.user(), d.paymentId());
        if (!currentOpen && !records.containsKey(caseId)) {
          derived.put(caseId, CaseRecord.opened(caseId, d.user(), at));
        }
      }
      currentByUser.put(d.user(), caseId);
      members.computeIfAbsent(caseId, id -> new ArrayList<>()).add(each);
    }
    List<Case> cases = new ArrayList<>();
    for (List<CaseRecord> ofUser : byUser.values()) {
      for (CaseRecord record : ofUser) {
        cases.add(caseOf(record, members.getOrDefault(record.id(), List.of())));
      }
    }
    for (CaseRecord record : derived.values()) {
      cases.add(caseOf(record, members.get(record.id())));
    }
    cases.sort(Comparator.comparing(Case::lastAt).reversed().thenComparing(c -> c.record().id()));
    return cases;
  }

  private static CaseRecord recordOpenAt(List<CaseRecord> ofUser, Instant at) {
    if (ofUser == null) {
      return null;
    }
    CaseRecord found = null;
    for (CaseRecord record : ofUser) {
      if (!record.openedAt().isAfter(at) && (record.closedAt() == null || !at.isAfter(record.closedAt()))) {
        found = record;
      }
    }
    return found;
  }

  private static Case caseOf(CaseRecord record, List<ConsoleView.Flagged> flagged) {
    Tier worst = null;
    double worstScore = Double.NaN;
    Instant last = record.updatedAt();
    for (ConsoleView.Flagged each : flagged) {
      Decision d = each.decision();
      if (worst == null || d.tier().ordinal() > worst.ordinal()) {
        worst = d.tier();
      }
      if (Double.isNaN(worstScore) || d.score() > worstScore) {
        worstScore = d.score();
      }
      Instant at = decidedAt(each);
      if (at.isAfter(last)) {
        last = at;
      }
    }
    List<ConsoleView.Flagged> newestFirst = new ArrayList<>(flagged);
    newestFirst.sort(Comparator.comparingLong(ConsoleView.Flagged::sequence).reversed());
    return new Case(record, newestFirst, worst, worstScore, last);
  }

  private static Instant decidedAt(ConsoleView.Flagged flagged) {
    Decision d = flagged.decision();
    return d.decidedAt() != null ? d.decidedAt() : d.timestamp();
  }
}
