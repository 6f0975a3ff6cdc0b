package io.fraudstream.models;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * A split by time only, as a risk team would trust it: a training window, then a gap as long as
 * labels take to arrive, then a test window, in whole UTC days. Nothing the model is trained on
 * comes after anything it is tested on.
 *
 * @param trainStart first training day
 */
public record TimeSplit(LocalDate trainStart, int trainDays, int gapDays, int testDays) {

  public TimeSplit {
    if (trainDays < 1 || testDays < 1 || gapDays < 0) {
      throw new IllegalArgumentException("the training and test windows need at least a day each and the gap cannot be negative, got "
          + trainDays + "/" + gapDays + "/" + testDays + " days");
    }
  }

  /** The latest split: its test window ends with the day of the last row (rows in time order). */
  public static TimeSplit latest(List<FeatureRow> rows, int trainDays, int gapDays, int testDays) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no payments to split");
    }
    LocalDate lastDay = rows.get(rows.size() - 1).transaction().timestamp().atOffset(ZoneOffset.UTC).toLocalDate();
    return new TimeSplit(lastDay.minusDays(testDays + gapDays + trainDays - 1L), trainDays, gapDays, testDays);
  }

  public Instant trainFrom() {
    return trainStart.atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  public Instant testFrom() {
    return trainStart.plusDays((long) trainDays + gapDays).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  public Instant testUntil() {
    return trainStart.plusDays((long) trainDays + gapDays + testDays).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  private Instant trainUntil() {
    return trainStart.plusDays(trainDays).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** The same split, {@code days} earlier. */
  public TimeSplit earlier(int days) {
    return new TimeSplit(trainStart.minusDays(days), trainDays, gapDays, testDays);
  }

  /**
   * The split used to choose hyper-parameters and thresholds: one test window earlier, so that
   * its test window ends where this one's begins and never overlaps it.
   */
  public TimeSplit validation() {
    return earlier(testDays);
  }

  /**
   * The first day this split reads: its training window's first day, or that of the window its
   * thresholds are tuned on (the test-window-long one before its test window), if earlier.
   */
  public LocalDate firstDayUsed() {
    LocalDate tuning = trainStart.plusDays((long) trainDays + gapDays - testDays);
    return tuning.isBefore(trainStart) ? tuning : trainStart;
  }

  /** The last day this split reads: its test window's. */
  public LocalDate lastDayUsed() {
    return trainStart.plusDays((long) trainDays + gapDays + testDays - 1L);
  }

  /**
   * Checks that every window of this split lies within the data's days, or says which options
   * to change: a window before the data would be printed, and trained or tested on, empty.
   */
  public TimeSplit requireWithin(LocalDate firstDataDay, LocalDate lastDataDay) {
    if (firstDayUsed().isBefore(firstDataDay) || lastDayUsed().isAfter(lastDataDay)) {
      long dataDays = ChronoUnit.DAYS.between(firstDataDay, lastDataDay) + 1;
      throw new IllegalArgumentException("the split '" + this + "' reads " + firstDayUsed() + " .. " + lastDayUsed()
          + ", but the data holds " + dataDays + " days, " + firstDataDay + " .. " + lastDataDay
          + ": lower --train-days (" + trainDays + "), --gap-days (" + gapDays + ") or --test-days (" + testDays
          + ") so that they fit, or move --train-start");
    }
    return this;
  }

  /**
   * The split on which candidate trainers are compared. It is {@link #validation()}, one test
   * window earlier, when all of that lies within the data. On data too short for it, it is carved
   * from the end of this split's training window: the last days of the training window (as many
   * as the test window, at most half of it) become its test window, and the days before them its
   * training window and tuning window. The final model is still tested on the test window, which
   * no candidate saw.
   */
  public TimeSplit selection(LocalDate firstDataDay) {
    TimeSplit earlier = validation();
    if (!earlier.firstDayUsed().isBefore(firstDataDay)) {
      return earlier;
    }
    int days = Math.min(testDays, trainDays / 2);
    if (days < 1) {
      throw new IllegalArgumentException("choosing among trainers needs a selection window, and '" + this
          + "' has neither room before it in the data nor a training window of 2 days or more to carve one from: "
          + "raise --train-days, or name one --trainer without --search");
    }
    return new TimeSplit(trainStart, trainDays - days, 0, days);
  }

  public List<FeatureRow> training(List<FeatureRow> rows) {
    return between(rows, trainFrom(), trainUntil());
  }

  public List<FeatureRow> test(List<FeatureRow> rows) {
    return between(rows, testFrom(), testUntil());
  }

  private static List<FeatureRow> between(List<FeatureRow> rows, Instant from, Instant until) {
    return rows.stream().filter(row -> !row.transaction().timestamp().isBefore(from) && row.transaction().timestamp().isBefore(until)).toList();
  }

  /** The test window in words, first and last day included. */
  public String testWindow() {
    return "test " + trainStart.plusDays((long) trainDays + gapDays) + " .. " + trainStart.plusDays((long) trainDays + gapDays + testDays - 1L);
  }

  @Override
  public String toString() {
    return "train " + trainStart + " .. " + trainStart.plusDays(trainDays - 1L) + ", gap " + gapDays + " days, " + testWindow();
  }
}
