package io.fraudstream.features;

import java.time.Instant;
import java.util.Objects;

/**
 * One payment, as read from the {@code transactions} topic or a dataset.
 *
 * <p>Required: {@code id}, {@code timestamp}, {@code user}, {@code amount}. Everything else is
 * optional and may be {@code null}. Text fields hold at most {@link InputLimits#MAX_FIELD_CHARS}
 * characters, and the time lies within {@link InputLimits#EARLIEST} .. {@link InputLimits#LATEST}. {@code label} is only present when a labelled dataset is
 * replayed; it is ground truth and never a model input. {@code challenge} is how a step-up verification of the
 * payment ended, when a dataset says so: the offline replay applies it right after the payment, as the engine applies a record
 * of the {@code challenge-results} topic. Live payments never carry one (their results come on that topic).
 */
public record Transaction(
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
    Double lon,
    Boolean label,
    ChallengeResult.Outcome challenge) {

  public Transaction {
    requireText(id, "id");
    Objects.requireNonNull(timestamp, "timestamp is required");
    InputLimits.checkRange(timestamp, "timestamp");
    requireText(user, "user");
    InputLimits.checkField(currency, "currency");
    InputLimits.checkField(merchant, "merchant");
    InputLimits.checkField(category, "category");
    InputLimits.checkField(channel, "channel");
    InputLimits.checkField(counterparty, "counterparty");
    InputLimits.checkField(device, "device");
    InputLimits.checkField(ip, "ip");
    InputLimits.checkField(country, "country");
    if (!Double.isFinite(amount) || amount < 0) {
      throw new IllegalArgumentException("amount must be a finite number >= 0, got " + amount);
    }
    if ((lat == null) != (lon == null)) {
      throw new IllegalArgumentException("lat and lon must be given together");
    }
    if (lat != null && !(lat >= -90 && lat <= 90)) {
      throw new IllegalArgumentException("lat must be within [-90, 90], got " + lat);
    }
    if (lon != null && !(lon >= -180 && lon <= 180)) {
      throw new IllegalArgumentException("lon must be within [-180, 180], got " + lon);
    }
  }

  /** A payment with only the required fields. */
  public static Transaction of(String id, Instant timestamp, String user, double amount) {
    return new Builder(id, timestamp, user, amount).build();
  }

  /**
   * This payment as a live feed sends it: under {@code newId}, at {@code at}, and without the
   * ground truth a dataset carries (label, challenge outcome).
   */
  public Transaction liveAt(String newId, Instant at) {
    return new Transaction(newId, at, user, amount, currency, merchant, category, channel, counterparty, device, ip, country,
        lat, lon, null, null);
  }

  public Builder toBuilder() {
    return new Builder(id, timestamp, user, amount)
        .currency(currency).merchant(merchant).category(category).channel(channel)
        .counterparty(counterparty).device(device).ip(ip).country(country)
        .location(lat, lon).label(label).challenge(challenge);
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is required and must not be blank");
    }
    InputLimits.checkField(value, field);
  }

  /** Builds a transaction field by field; validation happens in {@link #build()}. */
  public static final class Builder {
    private final String id;
    private final Instant timestamp;
    private final String user;
    private final double amount;
    private String currency;
    private String merchant;
    private String category;
    private String channel;
    private String counterparty;
    private String device;
    private String ip;
    private String country;
    private Double lat;
    private Double lon;
    private Boolean label;
    private ChallengeResult.Outcome challenge;

    public Builder(String id, Instant timestamp, String user, double amount) {
      this.id = id;
      this.timestamp = timestamp;
      this.user = user;
      this.amount = amount;
    }

    public Builder currency(String value) { this.currency = value; return this; }
    public Builder merchant(String value) { this.merchant = value; return this; }
    public Builder category(String value) { this.category = value; return this; }
    public Builder channel(String value) { this.channel = value; return this; }
    public Builder counterparty(String value) { this.counterparty = value; return this; }
    public Builder device(String value) { this.device = value; return this; }
    public Builder ip(String value) { this.ip = value; return this; }
    public Builder country(String value) { this.country = value; return this; }
    public Builder location(Double latitude, Double longitude) {
      this.lat = latitude;
      this.lon = longitude;
      return this;
    }
    public Builder label(Boolean value) { this.label = value; return this; }
    public Builder challenge(ChallengeResult.Outcome value) { this.challenge = value; return this; }

    public Transaction build() {
      return new Transaction(id, timestamp, user, amount, currency, merchant, category, channel,
          counterparty, device, ip, country, lat, lon, label, challenge);
    }
  }
}
