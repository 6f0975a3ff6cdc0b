package io.fraudstream.engine.console;

import static io.fraudstream.engine.console.ConsoleHttp.JSON;
import static io.fraudstream.engine.console.ConsoleHttp.form;
import static io.fraudstream.engine.console.ConsoleHttp.json;
import static io.fraudstream.engine.console.ConsoleHttp.query;
import static io.fraudstream.engine.console.ConsoleHttp.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.fraudstream.engine.console.ConsoleHttp.BadRequest;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.features.PaymentLabel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The console's cases over HTTP: the case queue, one case with its payments, its user's timeline
 * and the ring of linked users, the changes an analyst makes (assign, comment, close), and the
 * export of a case as JSON or CSV. A change names the version of the case it was made on and is
 * refused with 409 when the case has changed since, so two analysts never overwrite each other
 * unseen; closing labels every payment of the case held here.
 */
final class CaseRoutes {

  private static final int MAX_CASES = 500;

  private final ConsoleView view;
  private final Actions actions;
  private final Function<HttpExchange, String> operator;
  private final Function<HttpExchange, String> remote;

  CaseRoutes(ConsoleView view, Actions actions, Function<HttpExchange, String> operator, Function<HttpExchange, String> remote) {
    this.view = view;
    this.actions = actions;
    this.operator = operator;
    this.remote = remote;
  }

  /** Answers {@code path} if it is a case route; false otherwise. */
  boolean route(HttpExchange exchange, String method, String path) throws IOException {
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    switch (path) {
      case "/api/cases" -> {
        allow(get);
        json(exchange, 200, cases(query(exchange)));
      }
      case "/api/case" -> {
        allow(get);
        json(exchange, 200, detail(caseNamed(query(exchange).get("id"))));
      }
      case "/api/case/export" -> {
        allow(get);
        export(exchange, query(exchange));
      }
      case "/api/case/assign", "/api/case/comment", "/api/case/close" -> {
        allow(post);
        change(exchange, path.substring("/api/case/".length()));
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private static void allow(boolean allowed) {
    if (!allowed) {
      throw new BadRequest(405, "method not allowed here");
    }
  }

  private ObjectNode cases(Map<String, String> query) {
    String status = query.getOrDefault("status", "active");
    if (!List.of("active", "all", "open", "investigating", "closed-fraud", "closed-legitimate").contains(status)) {
      throw new BadRequest(400, "status is active, all, open, investigating, closed-fraud or closed-legitimate, not '" + status + "'");
    }
    List<CaseBook.Case> all = view.cases();
    ObjectNode answer = JSON.createObjectNode();
    ArrayNode items = answer.putArray("items");
    long active = 0;
    for (CaseBook.Case each : all) {
      CaseRecord.Status s = each.record().status();
      active += s.closed() ? 0 : 1;
      boolean shown = status.equals("all") || (status.equals("active") ? !s.closed() : s.wireName().equals(status));
      if (shown && items.size() < MAX_CASES) {
        items.add(summary(each));
      }
    }
    answer.put("active", active).put("total", all.size());
    return answer;
  }

  private static ObjectNode summary(CaseBook.Case each) {
    CaseRecord r = each.record();
    ObjectNode node = JSON.createObjectNode().put("id", r.id()).put("user", r.user()).put("status", r.status().wireName())
        .put("assignee", r.assignee()).put("openedAt", r.openedAt().toString()).put("lastAt", each.lastAt().toString())
        .put("worstTier", each.worstTier() == null ? null : each.worstTier().name())
        .put("payments", each.paymentIds().size()).put("version", r.version());
    if (!Double.isNaN(each.worstScore())) {
      node.put("worstScore", each.worstScore());
    }
    return node;
  }

  private CaseBook.Case caseNamed(String id) {
    if (id == null || id.isBlank()) {
      throw new BadRequest(400, "name the case: id=USER/PAYMENT-ID");
    }
    CaseBook.Case found = view.caseOf(id);
    if (found == null) {
      throw new BadRequest(404, "no case '" + id + "' in the console");
    }
    return found;
  }

  private ObjectNode detail(CaseBook.Case each) {
    ObjectNode answer = summary(each);
    CaseRecord r = each.record();
    answer.put("closedAt", r.closedAt() == null ? null : r.closedAt().toString()).put("updatedBy", r.updatedBy());
    ArrayNode comments = answer.putArray("comments");
    r.comments().forEach(c -> comments.addObject().put("by", c.by()).put("at", c.at().toString()).put("text", c.text()));
    ArrayNode payments = answer.putArray("decisions");
    for (ConsoleView.Flagged flagged : each.flagged()) {
      Decision d = flagged.decision();
      Boolean label = view.labelOf(d.paymentId());
      payments.addObject().put("paymentId", d.paymentId()).put("timestamp", d.timestamp().toString()).put("tier", d.tier().name())
          .put("score", d.score()).put("amount", d.amount()).put("currency", d.currency()).put("merchant", d.merchant())
          .put("device", d.device()).put("reasons", String.join("; ", d.reasons()))
          .put("label", label == null ? null : label ? "fraud" : "legitimate");
    }
    ArrayNode unheld = answer.putArray("paymentsNotHeld");
    each.paymentIds().stream().filter(id -> view.payment(id) == null).forEach(unheld::add);
    ArrayNode timeline = answer.putArray("timeline");
    for (Timelines.Event event : view.timeline(r.user())) {
      ObjectNode node = timeline.addObject().put("at", event.at().toString()).put("kind", event.kind())
          .put("paymentId", event.paymentId()).put("tier", event.tier() == null ? null : event.tier().name()).put("text", event.text());
      if (!Double.isNaN(event.score())) {
        node.put("score", event.score());
      }
      ArrayNode moved = node.putArray("moved");
      event.movedWords().forEach(moved::add);
    }
    answer.set("ring", ring(r.user()));
    return answer;
  }

  private ObjectNode ring(String user) {
    ConsoleView.RingView ring = view.ring(user);
    ObjectNode node = JSON.createObjectNode();
    ArrayNode users = node.putArray("users");
    for (String each : ring.ring().users()) {
      users.addObject().put("user", each).put("worstTier", ring.worstTier().containsKey(each) ? ring.worstTier().get(each).name() : null)
          .put("fraudLabels", ring.fraudLabels().getOrDefault(each, 0));
    }
    ArrayNode tokens = node.putArray("tokens");
    ring.ring().tokens().forEach(t -> tokens.addObject().put("kind", t.kind()).put("token", t.value()));
    ArrayNode edges = node.putArray("edges");
    ring.ring().edges().forEach(e -> edges.addObject().put("user", e[0]).put("token", e[1]));
    node.put("confirmedFraudUsers", ring.fraudLabels().size());
    return node;
  }

  private void change(HttpExchange exchange, String action) throws IOException {
    String by = operator.apply(exchange);
    Map<String, String> form = form(exchange);
    CaseBook.Case current = caseNamed(form.get("id"));
    CaseRecord r = current.record();
    String version = form.get("version");
    if (version == null || !version.equals(Long.toString(r.version()))) {
      throw new BadRequest(409, "the case changed since you saw it (now version " + r.version() + ", by "
          + (r.updatedBy() == null ? "nobody" : r.updatedBy()) + "): reload it");
    }
    Instant now = Instant.now();
    List<String> payments = current.paymentIds();
    CaseRecord next;
    String audited = action;
    int labelled = 0;
    switch (action) {
      case "assign" -> {
        String to = form.getOrDefault("assignee", by).isBlank() ? by : form.getOrDefault("assignee", by);
        if (to.length() > 64) {
          throw new BadRequest(400, "an assignee is an operator's name of at most 64 characters");
        }
        next = r.changed(r.status().closed() ? r.status() : CaseRecord.Status.INVESTIGATING, to, null, payments, by, now);
      }
      case "comment" -> {
        String text = form.get("text");
        if (text == null || text.isBlank() || text.length() > CaseRecord.MAX_COMMENT_CHARS) {
          throw new BadRequest(400, "a comment is text of 1 to " + CaseRecord.MAX_COMMENT_CHARS + " characters");
        }
        try {
          next = r.changed(r.status(), r.assignee(), new CaseRecord.Comment(by, now, text), payments, by, now);
        } catch (IllegalArgumentException e) {
          throw new BadRequest(400, e.getMessage());
        }
      }
      default -> {
        String outcome = form.get("outcome");
        if (!"fraud".equals(outcome) && !"legitimate".equals(outcome)) {
          throw new BadRequest(400, "close a case with outcome=fraud or outcome=legitimate");
        }
        boolean fraud = outcome.equals("fraud");
        for (String paymentId : payments) {
          ConsoleView.Flagged flagged = view.payment(paymentId);
          if (flagged != null) {
            Decision d = flagged.decision();
            actions.label(new PaymentLabel(paymentId, fraud, d.merchant(), d.device(), d.timestamp()), by, remote.apply(exchange));
            view.label(paymentId, fraud);
            labelled++;
          }
        }
        next = r.changed(fraud ? CaseRecord.Status.CLOSED_FRAUD : CaseRecord.Status.CLOSED_LEGITIMATE,
            r.assignee() == null ? by : r.assignee(), null, payments, by, now);
        audited = "close-" + outcome;
      }
    }
    actions.writeCase(next, audited, by, remote.apply(exchange));
    view.caseRecord(next);
    ObjectNode answer = summary(view.caseOf(next.id())).put("by", by);
    if (action.equals("close")) {
      answer.put("labelled", labelled);
    }
    json(exchange, 200, answer);
  }

  private void export(HttpExchange exchange, Map<String, String> query) throws IOException {
    String format = query.getOrDefault("format", "json");
    ObjectNode detail = detail(caseNamed(query.get("id")));
    String file = "case-" + detail.get("id").asText().replaceAll("[^A-Za-z0-9._-]", "_");
    if (format.equals("json")) {
      exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + file + ".json\"");
      json(exchange, 200, detail);
    } else if (format.equals("csv")) {
      exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + file + ".csv\"");
      send(exchange, 200, "text/csv; charset=utf-8", csv(detail).getBytes(StandardCharsets.UTF_8));
    } else {
      throw new BadRequest(400, "format is json or csv, not '" + format + "'");
    }
  }

  /** The case as rows of one table: its decisions, timeline, linked users and comments, each row saying which. */
  static String csv(ObjectNode detail) {
    StringBuilder out = new StringBuilder("kind,time,payment_id,user,tier,score,amount,text\n");
    String caseUser = detail.get("user").asText();
    for (JsonNode d : detail.get("decisions")) {
      row(out, "decision", d.path("timestamp").asText(), d.path("paymentId").asText(), caseUser, d.path("tier").asText(),
          d.path("score").asText(), d.path("amount").asText() + " " + d.path("currency").asText(""),
          d.path("reasons").asText() + (d.path("label").isNull() ? "" : " | label: " + d.path("label").asText()));
    }
    for (JsonNode e : detail.get("timeline")) {
      row(out, "timeline-" + e.path("kind").asText(), e.path("at").asText(), e.path("paymentId").asText(""), caseUser,
          e.path("tier").asText(""), e.path("score").asText(""), "", e.path("text").asText()
              + (e.path("moved").isEmpty() ? "" : " | moved: " + String.join("; ", toList(e.path("moved")))));
    }
    for (JsonNode u : detail.get("ring").get("users")) {
      row(out, "linked-user", "", "", u.path("user").asText(), u.path("worstTier").asText(""), "", "",
          u.path("fraudLabels").asInt() + " payments labelled fraud");
    }
    for (JsonNode c : detail.get("comments")) {
      row(out, "comment", c.path("at").asText(), "", c.path("by").asText(), "", "", "", c.path("text").asText());
    }
    return out.toString();
  }

  private static List<String> toList(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static void row(StringBuilder out, String... cells) {
    for (int i = 0; i < cells.length; i++) {
      out.append(i == 0 ? "" : ",").append(csvCell(cells[i]));
    }
    out.append('\n');
  }

  /** Quoted as CSV, and a cell a spreadsheet would run as a formula ({@code =}, {@code +}, {@code -}, {@code @}) made text. */
  static String csvCell(String value) {
    String text = value == null ? "" : value;
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    return "\"" + text.replace("\"", "\"\"") + "\"";
  }
}
