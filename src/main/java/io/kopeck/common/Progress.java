package io.kopeck.common;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A long CLI job's progress on standard error (standard output stays the command's answer): every few
 * seconds "users: 35,000 / 100,000 (35%), 6,120/s, about 11 s left", and one line when it ends. Silent
 * for jobs shorter than the first interval.
 */
public final class Progress {
  private static final long EVERY_NANOS = 3_000_000_000L;

  private final String what;
  private final long total;
  private final PrintStream out;
  private final LongSupplier nanoTime;
  private final long started;
  private long done;
  private long lastPrinted;
  private boolean printed;

  /** {@code total}: how many units the job has (0 when unknown: no percentage, no estimate). */
  public Progress(String what, long total, PrintStream out, LongSupplier nanoTime) {
    this.what = what;
    this.total = total;
    this.out = out;
    this.nanoTime = nanoTime;
    this.started = nanoTime.getAsLong();
    this.lastPrinted = started;
  }

  /** On standard error with the system's clock. */
  public static Progress onStandardError(String what, long total) {
    return new Progress(what, total, System.err, System::nanoTime);
  }

  /** Prints nothing ever (library callers, tests that do not look). */
  public static Progress silent() {
    return new Progress("", 0, null, System::nanoTime);
  }

  /** {@code units} more are done; a line when the interval has passed. */
  public void advance(long units) {
    done += units;
    long now = nanoTime.getAsLong();
    if (out != null && now - lastPrinted >= EVERY_NANOS) {
      lastPrinted = now;
      printed = true;
      out.println(line(now, false));
    }
  }

  /** The closing line (when anything was printed before, or the job took longer than one interval). */
  public void finish() {
    long now = nanoTime.getAsLong();
    if (out != null && (printed || now - started >= EVERY_NANOS)) {
      out.println(line(now, true));
    }
  }

  String line(long now, boolean finished) {
    double seconds = Math.max(1e-9, (now - started) / 1e9);
    long rate = Math.round(done / seconds);
    StringBuilder line = new StringBuilder(what).append(": ").append(String.format(Locale.ROOT, "%,d", done));
    if (total > 0) {
      line.append(String.format(Locale.ROOT, " / %,d (%d%%)", total, Math.min(100, done * 100 / total)));
    }
    line.append(String.format(Locale.ROOT, ", %,d/s", rate));
    if (finished) {
      line.append(String.format(Locale.ROOT, ", done in %.1f s", seconds));
    } else if (total > 0 && rate > 0 && done < total) {
      line.append(String.format(Locale.ROOT, ", about %d s left", (total - done + rate - 1) / rate));
    }
    return line.toString();
  }
}
