package io.fraudstream.engine.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal; elsewhere (CI logs, pipes) a line every tenth, so logs
 * stay readable.
 */
final class ProgressBar {

  private static final int WIDTH = 30;
  private final PrintStream out;
  private final String label;
  private final long total;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;
  private int lastTenth = -1;

  ProgressBar(PrintStream out, String label, long total) {
    this.out = out;
    this.label = label;
    this.total = Math.max(1, total);
    this.terminal = System.console() != null;
  }

  void update(long done) {
    long now = System.nanoTime();
    int tenth = (int) (done * 10 / total);
    if (terminal) {
      if (now - lastDrawNanos < 100_000_000L && done < total) {
        return;
      }
      lastDrawNanos = now;
      out.print("\r" + line(done, now));
      if (done >= total) {
        out.println();
      }
    } else if (tenth != lastTenth) {
      lastTenth = tenth;
      out.println(line(done, now));
    }
  }

  private String line(long done, long now) {
    int filled = (int) (WIDTH * done / total);
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    return String.format(Locale.ROOT, "%s [%s%s] %3d%% %,d/%,d  %,.0f/s", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
        done * 100 / total, done, total, done / seconds);
  }
}
