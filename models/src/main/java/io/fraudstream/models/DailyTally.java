package io.fraudstream.models;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * {@link TierCounts} per UTC day and in all, filled one payment at a time: the per-day view of
 * a model's test window or of a rule in a backtest. Not thread-safe.
 */
public final class DailyTally {

  /** One day's counts. */
  public record Day(LocalDate day, TierCounts counts) {}

  private final TreeMap<LocalDate, TierCounts> days = new TreeMap<>();
  private TierCounts total = TierCounts.ZERO;

  /** Counts one payment, made at {@code time}. */
  public void add(Instant time, boolean fraud, boolean flagged, boolean blocked) {
    days.merge(time.atOffset(ZoneOffset.UTC).toLocalDate(), TierCounts.ZERO.plus(fraud, flagged, blocked),
        (old, one) -> old.plus(fraud, flagged, blocked));
    total = total.plus(fraud, flagged, blocked);
  }

  /** Registers a day with no payment flagged yet, so that days without hits are listed too. */
  public void touch(LocalDate day) {
    days.putIfAbsent(day, TierCounts.ZERO);
  }

  public TierCounts total() {
    return total;
  }

  /** Every day seen, in order. */
  public List<Day> days() {
    List<Day> list = new ArrayList<>(days.size());
    days.forEach((day, counts) -> list.add(new Day(day, counts)));
    return list;
  }

  /** The mean flagged payments per day over the days seen; 0 without days. */
  public double flaggedPerDay() {
    return days.isEmpty() ? 0 : (double) total.flagged() / days.size();
  }
}
