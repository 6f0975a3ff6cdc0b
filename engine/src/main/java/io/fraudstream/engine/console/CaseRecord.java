package io.fraudstream.engine.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.features.InputLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A case as the compacted {@code cases} topic keeps it, keyed by its id: whose it is, its status,
 * who works it, the analysts' comments and the payments it holds. Every change writes the whole
 * record again, so the latest record of a case is all of it, and every console reads the same.
 *
 * @param id {@code <user>/<payment id of the decision that opened it>}
 * @param version how many changes the case has had; a change names the version it was made on
 * @param payments the ids of its payments known when it last changed, at most {@link #MAX_PAYMENTS}
 */
public record CaseRecord(String id, String user, Instant openedAt, Status status, String assignee, List<Comment> comments,
                         List<String> payments, Instant closedAt, long version, Instant updatedAt, String updatedBy) {

  /** Where a case stands. */
  public enum Status {
    OPEN, INVESTIGATING, CLOSED_FRAUD, CLOSED_LEGITIMATE;

    public boolean closed() {
      return this == CLOSED_FRAUD || this == CLOSED_LEGITIMATE;
    }

    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Status parse(String text) {
      for (Status status : values()) {
        if (status.wireName().equals(text)) {
          return status;
        }
      }
      throw new IllegalArgumentException("status must be open, investigating, closed-fraud or closed-legitimate, not '" + text + "'");
    }
  }

  /** An analyst's note on a case. */
  public record Comment(String by, Instant at, String text) {}

  public static final int MAX_COMMENTS = 100;
  public static final int MAX_COMMENT_CHARS = 2_000;
  public static final int MAX_PAYMENTS = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  public CaseRecord {
    comments = List.copyOf(comments);
    payments = List.copyOf(payments);
  }

  /** The id of the case that {@code paymentId}'s decision opened for {@code user}. */
  public static String idOf(String user, String paymentId) {
    return user + "/" + paymentId;
  }

  /** A case nobody has changed yet, as the console derives it from the decisions. */
  static CaseRecord opened(String id, String user, Instant openedAt) {
    return new CaseRecord(id, user, openedAt, Status.OPEN, null, List.of(), List.of(), null, 0, openedAt, null);
  }

  /** The next version of this case, as {@code operator} changed it at {@code now}. */
  CaseRecord changed(Status newStatus, String newAssignee, Comment newComment, List<String> knownPayments, String operator, Instant now) {
    List<Comment> allComments = new ArrayList<>(comments);
    if (newComment != null) {
      if (allComments.size() >= MAX_COMMENTS) {
        throw new IllegalArgumentException("a case holds at most " + MAX_COMMENTS + " comments; summarise and close it");
      }
      allComments.add(newComment);
    }
    List<String> allPayments = new ArrayList<>(payments);
    for (String payment : knownPayments) {
      if (!allPayments.contains(payment) && allPayments.size() < MAX_PAYMENTS) {
        allPayments.add(payment);
      }
    }
    Instant closed = newStatus.closed() ? (status.closed() ? closedAt : now) : null;
    return new CaseRecord(id, user, openedAt, newStatus, newAssignee, allComments, allPayments, closed, version + 1, now, operator);
  }

  byte[] toJson() {
    ObjectNode node = JSON.createObjectNode().put("id", id).put("user", user).put("openedAt", openedAt.toString())
        .put("status", status.wireName()).put("assignee", assignee).put("version", version)
        .put("updatedAt", updatedAt.toString()).put("updatedBy", updatedBy)
        .put("closedAt", closedAt == null ? null : closedAt.toString());
    ArrayNode notes = node.putArray("comments");
    for (Comment comment : comments) {
      notes.addObject().put("by", comment.by()).put("at", comment.at().toString()).put("text", comment.text());
    }
    ArrayNode ids = node.putArray("payments");
    payments.forEach(ids::add);
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a record of the cases topic, refusing anything a console did not write: a key other than
   * its id, a user that is no user key, an unknown status, text over its limits.
   */
  static CaseRecord parse(String key, byte[] value) {
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("a case record is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("a case record is a JSON object");
    }
    String id = text(node, "id", true);
    String user = text(node, "user", true);
    if (!id.equals(key) || !id.startsWith(user + "/") || InputLimits.checkKey(user) != null || id.length() > 2 * 256 + 1) {
      throw new IllegalArgumentException("a case record's key must be its id, <user>/<payment id>");
    }
    List<Comment> comments = new ArrayList<>();
    JsonNode notes = node.get("comments");
    if (notes != null && !notes.isNull()) {
      if (!notes.isArray() || notes.size() > MAX_COMMENTS) {
        throw new IllegalArgumentException("comments must be an array of at most " + MAX_COMMENTS);
      }
      for (JsonNode note : notes) {
        String text = text(note, "text", true);
        if (text.length() > MAX_COMMENT_CHARS) {
          throw new IllegalArgumentException("a comment holds at most " + MAX_COMMENT_CHARS + " characters");
        }
        comments.add(new Comment(name(note, "by"), instant(note, "at"), text));
      }
    }
    List<String> payments = new ArrayList<>();
    JsonNode ids = node.get("payments");
    if (ids != null && !ids.isNull()) {
      if (!ids.isArray() || ids.size() > MAX_PAYMENTS) {
        throw new IllegalArgumentException("payments must be an array of at most " + MAX_PAYMENTS);
      }
      for (JsonNode payment : ids) {
        if (!payment.isTextual() || InputLimits.checkKey(payment.asText()) != null) {
          throw new IllegalArgumentException("a payment id of a case must be text of at most 256 characters");
        }
        payments.add(payment.asText());
      }
    }
    JsonNode version = node.get("version");
    if (version == null || !version.canConvertToLong() || version.asLong() < 0) {
      throw new IllegalArgumentException("a case record needs a version, a whole number >= 0");
    }
    String assignee = text(node, "assignee", false);
    if (assignee != null && assignee.length() > 64) {
      throw new IllegalArgumentException("an assignee is an operator's name of at most 64 characters");
    }
    String closedAt = text(node, "closedAt", false);
    return new CaseRecord(id, user, instant(node, "openedAt"), Status.parse(text(node, "status", true)), assignee, comments,
        payments, closedAt == null ? null : instant(node, "closedAt"), version.asLong(), instant(node, "updatedAt"),
        name(node, "updatedBy"));
  }

  private static String name(JsonNode node, String field) {
    String name = text(node, field, false);
    if (name != null && name.length() > 64) {
      throw new IllegalArgumentException(field + " is an operator's name of at most 64 characters");
    }
    return name;
  }

  private static String text(JsonNode node, String field, boolean required) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new IllegalArgumentException("a case record needs '" + field + "'");
      }
      return null;
    }
    if (!value.isTextual() || value.asText().length() > MAX_COMMENT_CHARS) {
      throw new IllegalArgumentException("'" + field + "' must be text of at most " + MAX_COMMENT_CHARS + " characters");
    }
    return value.asText();
  }

  private static Instant instant(JsonNode node, String field) {
    String text = text(node, field, true);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + field + "' must be an ISO-8601 instant");
    }
  }

  @Override
  public String toString() {
    return new String(toJson(), StandardCharsets.UTF_8);
  }
}
