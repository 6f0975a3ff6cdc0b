package io.fraudstream.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Asks a fraudstream engine for a payment's decision within a deadline, as an authorisation call
 * must: the engine answers with the decision, or with its fallback tier when the decision is late.
 * When an engine is busy (429), not running (503) or cannot be reached, the client retries with the
 * same payment id (never a new one, so the payment is decided once), at the next engine of its
 * list, while the deadline allows; when it does not, the answer is this client's fallback tier,
 * marked as a fallback. A payment the engine refuses for what it holds (400, 401, 403, 409) throws
 * {@link DecideException}: retrying it cannot help.
 *
 * <pre>{@code
 * DecideClient client = DecideClient.builder(URI.create("http://fraudstream:8080"))
 *     .token(System.getenv("FRAUDSTREAM_TOKEN")).deadline(Duration.ofMillis(150)).fallback("CHALLENGE").build();
 * Answer answer = client.decide(Payment.of("p-1", Instant.now(), "u42", 129.90).withDevice("d-9"));
 * }</pre>
 *
 * <p>Thread-safe; make one and share it.
 */
public final class DecideClient {

  static final String DEADLINE_HEADER = "Fraudstream-Deadline-Ms";
  /** What the engine needs beyond its own deadline to send an answer back. */
  private static final Duration NETWORK_ALLOWANCE = Duration.ofMillis(50);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(5);

  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final List<URI> engines;
  private final String token;
  private final Duration deadline;
  private final String fallback;
  private final int attempts;
  private final HttpClient http;

  private DecideClient(Builder builder) {
    this.engines = builder.engines.stream().map(base -> base.resolve("/v1/decide")).toList();
    this.token = builder.token;
    this.deadline = builder.deadline;
    this.fallback = builder.fallback;
    this.attempts = builder.attempts;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(builder.deadline).build();
  }

  /** A client of the engines at these base addresses ({@code http://host:port}), tried in turn. */
  public static Builder builder(URI engine, URI... more) {
    return new Builder(engine, more);
  }

  /** The decision, or a fallback marked as such, within the deadline (plus the network's time to answer). */
  public Answer decide(Payment payment) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(payment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the payment as JSON", e);
    }
    long start = System.nanoTime();
    String lastProblem = "no attempt";
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 0; attempt < attempts; attempt++) {
      long left = deadline.toNanos() - (System.nanoTime() - start);
      if (left < TimeUnit.MILLISECONDS.toNanos(1)) {
        break;
      }
      URI engine = engines.get(attempt % engines.size());
      Duration leftNow = Duration.ofNanos(left);
      HttpRequest.Builder request = HttpRequest.newBuilder(engine).timeout(leftNow.plus(NETWORK_ALLOWANCE))
          .header("Content-Type", "application/json")
          .header(DEADLINE_HEADER, Long.toString(Math.max(1, leftNow.toMillis())))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      HttpResponse<byte[]> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        lastProblem = engine.getAuthority() + " did not answer: " + e;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        lastProblem = "interrupted";
        break;
      }
      int status = response.statusCode();
      if (status == 200) {
        return read(response.body(), Answer.class);
      }
      String error = errorOf(response.body());
      if (status != 429 && status != 503) {
        throw new DecideException(status, error);
      }
      lastProblem = engine.getAuthority() + " answered " + status + ": " + error;
      Duration wait = response.headers().firstValue("Retry-After").map(DecideClient::seconds).orElse(backoff);
      backoff = backoff.multipliedBy(2);
      // Another engine is worth trying at once; the same one, after its Retry-After if time allows.
      if (engines.size() == 1 && !sleep(wait, start)) {
        break;
      }
    }
    return Answer.fallback(payment.id(), fallback, "no decision within the client's " + deadline.toMillis() + " ms deadline ("
        + lastProblem + "): the client's fallback tier");
  }

  private boolean sleep(Duration wait, long start) {
    long left = deadline.toNanos() - (System.nanoTime() - start);
    if (wait.toNanos() >= left) {
      return false;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(wait.toNanos());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Duration seconds(String value) {
    try {
      return Duration.ofSeconds(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return FIRST_BACKOFF;
    }
  }

  private static String errorOf(byte[] body) {
    try {
      JsonNode error = JSON.readTree(body).get("error");
      return error == null ? new String(body, StandardCharsets.UTF_8) : error.asText();
    } catch (IOException e) {
      return "an answer that is not JSON";
    }
  }

  private static <T> T read(byte[] body, Class<T> type) {
    try {
      return JSON.readValue(body, type);
    } catch (IOException e) {
      throw new UncheckedIOException("the engine's answer is not the documented JSON", e);
    }
  }

  /** Settings of a {@link DecideClient}. */
  public static final class Builder {
    private final List<URI> engines;
    private String token;
    private Duration deadline = Duration.ofMillis(250);
    private String fallback = "CHALLENGE";
    private int attempts = 3;

    private Builder(URI engine, URI... more) {
      this.engines = new ArrayList<>(List.of(Objects.requireNonNull(engine, "engine")));
      this.engines.addAll(List.of(more));
    }

    /** The caller's bearer token; none for an engine that takes calls from its own machine only. */
    public Builder token(String value) {
      this.token = value;
      return this;
    }

    /** How long a decision may take, retries included (default 250 ms). */
    public Builder deadline(Duration value) {
      if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofSeconds(30)) > 0) {
        throw new IllegalArgumentException("the deadline must be 1 ms to 30 s, got " + value);
      }
      this.deadline = value;
      return this;
    }

    /** The tier answered when no engine answers in time: ALLOW, CHALLENGE (default) or BLOCK. */
    public Builder fallback(String tier) {
      if (!List.of("ALLOW", "CHALLENGE", "BLOCK").contains(tier)) {
        throw new IllegalArgumentException("the fallback tier must be ALLOW, CHALLENGE or BLOCK, got " + tier);
      }
      this.fallback = tier;
      return this;
    }

    /** Attempts per payment, the first included (default 3). */
    public Builder attempts(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("at least one attempt, got " + value);
      }
      this.attempts = value;
      return this;
    }

    public DecideClient build() {
      return new DecideClient(this);
    }
  }
}
