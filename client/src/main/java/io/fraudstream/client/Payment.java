package io.fraudstream.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;

/**
 * A payment as the decide endpoint and the transactions topic take it. The id names the payment:
 * send a retry with the same id and the same fields; a different payment needs an id of its own.
 * Only {@code id}, {@code timestamp}, {@code user} and {@code amount} are required; give what the
 * features use (device, merchant, payee, country, location) and nothing more.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Payment(
    String id,
    Instant timestamp,
    String user,
    double amount,
    String currency,
    String merchant,
    String category,
    String channel,
    String counterparty,
    String device,
    String ip,
    String country,
    Double lat,
    Double lon) {

  public Payment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(user, "user");
  }

  /** A payment with only the required fields. */
  public static Payment of(String id, Instant timestamp, String user, double amount) {
    return new Payment(id, timestamp, user, amount, null, null, null, null, null, null, null, null, null, null);
  }

  public Payment withCurrency(String value) {
    return new Payment(id, timestamp, user, amount, value, merchant, category, channel, counterparty, device, ip, country, lat, lon);
  }

  public Payment withMerchant(String value) {
    return new Payment(id, timestamp, user, amount, currency, value, category, channel, counterparty, device, ip, country, lat, lon);
  }

  public Payment withDevice(String value) {
    return new Payment(id, timestamp, user, amount, currency, merchant, category, channel, counterparty, value, ip, country, lat, lon);
  }

  public Payment withPayee(String value) {
    return new Payment(id, timestamp, user, amount, currency, merchant, category, channel, value, device, ip, country, lat, lon);
  }

  public Payment withCountry(String value) {
    return new Payment(id, timestamp, user, amount, currency, merchant, category, channel, counterparty, device, ip, value, lat, lon);
  }
}
