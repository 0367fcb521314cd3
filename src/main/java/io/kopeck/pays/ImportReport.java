package io.kopeck.pays;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an import did, table by table (read, imported, already present, skipped), and every
 * difference it had to bridge or row it had to skip, with the reason. Printed by the command.
 */
public final class ImportReport {
  /** Counts of one source table. */
  public static final class Counts {
    long read;
    long imported;
    long present;
    long skipped;

    public long read() {
      return read;
    }

    public long imported() {
      return imported;
    }

    public long present() {
      return present;
    }

    public long skipped() {
      return skipped;
    }

    @Override
    public String toString() {
      return "read " + read + ", imported " + imported + ", already present " + present + ", skipped " + skipped;
    }
  }

  /** Differences listed one by one in the printed report; beyond that only counted (all are audited). */
  static final int LISTED = 1_000;

  private final Map<String, Counts> tables = new LinkedHashMap<>();
  private final List<String> differences = new ArrayList<>();
  private final List<String> skips = new ArrayList<>();
  private long differenceCount;
  private long skipCount;
  private final List<String> notes = new ArrayList<>();
  private final Map<String, Long> tallies = new LinkedHashMap<>();

  public Counts table(String name) {
    return tables.computeIfAbsent(name, n -> new Counts());
  }

  /** A difference the import bridged (an opening adjustment, a renamed slug, a dropped 0-delta row…). */
  void bridged(String difference) {
    differenceCount++;
    if (differences.size() < LISTED) {
      differences.add(difference);
    }
  }

  /** A difference of one kind that many rows share: counted and printed once with its count. */
  void tally(String kind) {
    tallies.merge(kind, 1L, Long::sum);
  }

  public Map<String, Long> tallies() {
    return Map.copyOf(tallies);
  }

  /** A source row left out, and why (it is never half-imported). */
  void skipped(String table, String what) {
    table(table).skipped++;
    skipCount++;
    if (skips.size() < LISTED) {
      skips.add(table + ": " + what);
    }
  }

  void note(String note) {
    notes.add(note);
  }

  public List<String> differences() {
    return List.copyOf(differences);
  }

  public List<String> skips() {
    return List.copyOf(skips);
  }

  public long differenceCount() {
    return differenceCount;
  }

  public long skipCount() {
    return skipCount;
  }

  public String print() {
    StringBuilder out = new StringBuilder();
    notes.forEach(n -> out.append(n).append('\n'));
    tables.forEach((name, counts) -> out.append(String.format("%-18s %s%n", name + ":", counts)));
    out.append("differences bridged: ").append(differenceCount + tallies.values().stream().mapToLong(n -> n).sum())
        .append('\n');
    tallies.forEach((kind, n) -> out.append("  ").append(n).append(" × ").append(kind).append('\n'));
    differences.forEach(d -> out.append("  ").append(d).append('\n'));
    if (differenceCount > differences.size()) {
      out.append("  … and ").append(differenceCount - differences.size()).append(" more (see the audit log)\n");
    }
    out.append("rows skipped: ").append(skipCount).append('\n');
    skips.forEach(s -> out.append("  ").append(s).append('\n'));
    if (skipCount > skips.size()) {
      out.append("  … and ").append(skipCount - skips.size()).append(" more\n");
    }
    return out.toString();
  }
}
