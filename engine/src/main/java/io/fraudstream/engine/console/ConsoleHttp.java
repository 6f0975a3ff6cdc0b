package io.fraudstream.engine.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import io.fraudstream.engine.rules.Tier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's side of HTTP: reading a request's cookie, query and form within their limits,
 * each parameter parsed or refused with what to fix, and writing JSON, assets and errors.
 */
final class ConsoleHttp {

  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final int MAX_FORM_BYTES = 4096;
  /** The webjar's version, as in engine/pom.xml. */
  private static final String UPLOT_VERSION = "1.6.30";

  private ConsoleHttp() {}

  static String cookie(HttpExchange exchange) {
    for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String part : header.split(";")) {
        String trimmed = part.trim();
        if (trimmed.startsWith(ConsoleServer.SESSION_COOKIE + "=")) {
          return trimmed.substring(ConsoleServer.SESSION_COOKIE.length() + 1);
        }
      }
    }
    return null;
  }

  static Map<String, String> query(HttpExchange exchange) {
    return pairs(exchange.getRequestURI().getRawQuery());
  }

  static Map<String, String> form(HttpExchange exchange) throws IOException {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.startsWith("application/x-www-form-urlencoded")) {
      throw new BadRequest(415, "send the form as application/x-www-form-urlencoded");
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_FORM_BYTES + 1);
      if (body.length > MAX_FORM_BYTES) {
        throw new BadRequest(413, "the form is larger than " + MAX_FORM_BYTES + " bytes");
      }
      return pairs(new String(body, StandardCharsets.UTF_8));
    }
  }

  static Map<String, String> pairs(String encoded) {
    Map<String, String> pairs = new HashMap<>();
    if (encoded == null || encoded.isEmpty()) {
      return pairs;
    }
    for (String pair : encoded.split("&")) {
      int equals = pair.indexOf('=');
      try {
        String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
        String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
        pairs.putIfAbsent(name, value);
      } catch (IllegalArgumentException e) {
        throw new BadRequest(400, "the request's parameters are not well encoded");
      }
    }
    return pairs;
  }

  static Tier tier(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return switch (value) {
      case "CHALLENGE" -> Tier.CHALLENGE;
      case "BLOCK" -> Tier.BLOCK;
      default -> throw new BadRequest(400, "tier is CHALLENGE or BLOCK, not '" + value + "'");
    };
  }

  static Instant instant(Map<String, String> query, String name) {
    String value = blankToNull(query.get(name));
    try {
      return value == null ? null : Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new BadRequest(400, name + " is an ISO-8601 instant such as 2026-12-01T10:00:00Z, not '" + value + "'");
    }
  }

  static long longValue(Map<String, String> query, String name) {
    String value = blankToNull(query.get(name));
    try {
      return value == null ? 0 : Math.max(0, Long.parseLong(value));
    } catch (NumberFormatException e) {
      throw new BadRequest(400, name + " is a whole number, not '" + value + "'");
    }
  }

  static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  static void asset(HttpExchange exchange, String name, String type) throws IOException {
    try (InputStream in = ConsoleHttp.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        throw new BadRequest(404, "the console's " + name + " is not in this build");
      }
      send(exchange, 200, type, in.readAllBytes());
    }
  }

  /** uPlot, the charting library, from its webjar on the class path. */
  static void webjar(HttpExchange exchange, String name, String type) throws IOException {
    try (InputStream in = ConsoleHttp.class.getResourceAsStream("/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/" + name)) {
      if (in == null) {
        throw new BadRequest(404, "uPlot " + UPLOT_VERSION + " is not on the class path");
      }
      send(exchange, 200, type, in.readAllBytes());
    }
  }

  static void json(HttpExchange exchange, int status, Object body) throws IOException {
    send(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
  }

  static void error(HttpExchange exchange, int status, String message) throws IOException {
    json(exchange, status, JSON.createObjectNode().put("error", message));
  }

  static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** A request refused with a status and a message that says what to fix. */
  static final class BadRequest extends RuntimeException {
    static final long serialVersionUID = 1L;
    final int status;

    BadRequest(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
