package io.fraudstream.models;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a policy did to a set of payments: how many it flagged (CHALLENGE or BLOCK) and blocked,
 * and how many of each were fraud. The measures a risk team reads off a day or a rule.
 */
public record TierCounts(long payments, long frauds, long flagged, long flaggedFrauds, long blocked, long blockedFrauds) {

  static final TierCounts ZERO = new TierCounts(0, 0, 0, 0, 0, 0);

  /** These counts and one more payment. */
  TierCounts plus(boolean fraud, boolean isFlagged, boolean isBlocked) {
    int f = fraud ? 1 : 0;
    return new TierCounts(payments + 1, frauds + f, flagged + (isFlagged ? 1 : 0), flaggedFrauds + (isFlagged ? f : 0),
        blocked + (isBlocked ? 1 : 0), blockedFrauds + (isBlocked ? f : 0));
  }

  /** Share of the flagged payments that were fraud; NaN when none was flagged. */
  @JsonProperty("precision")
  public double precision() {
    return flagged == 0 ? Double.NaN : (double) flaggedFrauds / flagged;
  }

  /** Share of the frauds flagged; NaN without frauds. */
  @JsonProperty("recall")
  public double recall() {
    return frauds == 0 ? Double.NaN : (double) flaggedFrauds / frauds;
  }

  /** Share of the frauds blocked; NaN without frauds. */
  @JsonProperty("blockRecall")
  public double blockRecall() {
    return frauds == 0 ? Double.NaN : (double) blockedFrauds / frauds;
  }

  /** Share of the legitimate payments challenged and not blocked: the friction the policy puts on good users. */
  @JsonProperty("legitChallengedShare")
  public double legitChallengedShare() {
    long legit = payments - frauds;
    return legit == 0 ? Double.NaN : (double) ((flagged - blocked) - (flaggedFrauds - blockedFrauds)) / legit;
  }

  /** Share of the legitimate payments blocked. */
  @JsonProperty("legitBlockedShare")
  public double legitBlockedShare() {
    long legit = payments - frauds;
    return legit == 0 ? Double.NaN : (double) (blocked - blockedFrauds) / legit;
  }
}
