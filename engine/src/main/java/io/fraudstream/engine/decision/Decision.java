package io.fraudstream.engine.decision;

import io.fraudstream.engine.rules.Tier;
import io.fraudstream.features.Transaction;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The verdict on one payment, written to the decisions topic keyed by payment id. It carries
 * everything it was made on (the payment's pseudonymous fields, the feature values, the model's
 * provenance, the rules' version and any active block), so {@code fraudstream explain} can make
 * it again and show that it matches.
 *
 * @param device the device's token, never the raw id
 * @param country the country's token
 * @param counterparty the payee's token, for the console's linked users
 * @param ip the IP address's token, for the console's linked users
 * @param tier the outcome; {@code modelTier} is what the model's score alone gave
 * @param reasons why, in words: rule hits first, then the features that pushed the score up
 *     most, strongest first (may be empty for an unremarkable payment)
 * @param activeBlock the block on the user, device or merchant this payment met, if any
 * @param placesBlock whether this decision blocks the user (a BLOCK from the model or a rule;
 *     a payment refused by a list or an existing block places none)
 * @param shadow what the shadow model said, when one is configured; it never changes the tier
 * @param extractionMicros time spent computing features (state read and write included)
 * @param scoringMicros time spent scoring and deciding
 * @param decidedAt wall-clock time of the decision, for measuring latency
 */
public record Decision(
    String paymentId,
    String user,
    Instant timestamp,
    double amount,
    String currency,
    String merchant,
    String device,
    String country,
    String counterparty,
    String ip,
    Tier tier,
    double score,
    Tier modelTier,
    List<String> reasons,
    String modelVersion,
    String modelProvenance,
    String rulesVersion,
    Block activeBlock,
    boolean placesBlock,
    Shadow shadow,
    Map<String, Double> features,
    double extractionMicros,
    double scoringMicros,
    Instant decidedAt) {

  /** A shadow model's score and tier for the same payment, for comparison only. */
  public record Shadow(String modelVersion, String modelProvenance, double score, Tier tier) {}

  /** Starts a decision whose fields are set by name. */
  public static Builder builder() {
    return new Builder();
  }

  /** Names each of a decision's fields where it is built, instead of 22 positional arguments. */
  public static final class Builder {
    private String paymentId;
    private String user;
    private Instant timestamp;
    private double amount;
    private String currency;
    private String merchant;
    private String device;
    private String country;
    private String counterparty;
    private String ip;
    private Tier tier;
    private double score;
    private Tier modelTier;
    private List<String> reasons;
    private String modelVersion;
    private String modelProvenance;
    private String rulesVersion;
    private Block activeBlock;
    private boolean placesBlock;
    private Shadow shadow;
    private Map<String, Double> features;
    private double extractionMicros;
    private double scoringMicros;
    private Instant decidedAt;

    private Builder() {}

    /** The payment's own fields, as they are at decision time (device, country, payee and IP address as tokens). */
    public Builder payment(Transaction tx) {
      return paymentId(tx.id()).user(tx.user()).timestamp(tx.timestamp()).amount(tx.amount()).currency(tx.currency())
          .merchant(tx.merchant()).device(tx.device()).country(tx.country()).counterparty(tx.counterparty()).ip(tx.ip());
    }

    public Builder paymentId(String value) {
      this.paymentId = value;
      return this;
    }

    public Builder user(String value) {
      this.user = value;
      return this;
    }

    public Builder timestamp(Instant value) {
      this.timestamp = value;
      return this;
    }

    public Builder amount(double value) {
      this.amount = value;
      return this;
    }

    public Builder currency(String value) {
      this.currency = value;
      return this;
    }

    public Builder merchant(String value) {
      this.merchant = value;
      return this;
    }

    public Builder device(String value) {
      this.device = value;
      return this;
    }

    public Builder country(String value) {
      this.country = value;
      return this;
    }

    public Builder counterparty(String value) {
      this.counterparty = value;
      return this;
    }

    public Builder ip(String value) {
      this.ip = value;
      return this;
    }

    public Builder tier(Tier value) {
      this.tier = value;
      return this;
    }

    public Builder score(double value) {
      this.score = value;
      return this;
    }

    public Builder modelTier(Tier value) {
      this.modelTier = value;
      return this;
    }

    public Builder reasons(List<String> value) {
      this.reasons = value;
      return this;
    }

    public Builder modelVersion(String value) {
      this.modelVersion = value;
      return this;
    }

    public Builder modelProvenance(String value) {
      this.modelProvenance = value;
      return this;
    }

    public Builder rulesVersion(String value) {
      this.rulesVersion = value;
      return this;
    }

    public Builder activeBlock(Block value) {
      this.activeBlock = value;
      return this;
    }

    public Builder placesBlock(boolean value) {
      this.placesBlock = value;
      return this;
    }

    public Builder shadow(Shadow value) {
      this.shadow = value;
      return this;
    }

    public Builder features(Map<String, Double> value) {
      this.features = value;
      return this;
    }

    public Builder extractionMicros(double value) {
      this.extractionMicros = value;
      return this;
    }

    public Builder scoringMicros(double value) {
      this.scoringMicros = value;
      return this;
    }

    public Builder decidedAt(Instant value) {
      this.decidedAt = value;
      return this;
    }

    public Decision build() {
      return new Decision(paymentId, user, timestamp, amount, currency, merchant, device, country, counterparty, ip, tier, score, modelTier, reasons, modelVersion, modelProvenance, rulesVersion, activeBlock, placesBlock, shadow, features, extractionMicros, scoringMicros, decidedAt);
    }
  }
}
