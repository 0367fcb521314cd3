package io.kopeck.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The series Kopeck exports: names from a live /metrics after one charge, plus every {@code kopeck_*}
 * meter name the code registers (some appear only once their event happens). Dashboards and alert rules
 * are checked against it.
 */
public final class ExportedSeries {
  private static final Pattern REGISTERED = Pattern.compile("\"(kopeck_[a-z_]+)\"");
  private static final Pattern SUFFIX = Pattern.compile("_(total|bucket|sum|count|max)$");

  private ExportedSeries() {
  }

  public static Set<String> names() throws IOException {
    Set<String> names = new HashSet<>();
    try (RunningService service = RunningService.start(Map.of("RUNNER_API_KEYS", TestKeys.RUNNER))) {
      Ledgers.seedUser(service.pool(), 1, "10");
      service.http().postJson("/api/v1/track-costs", TestKeys.RUNNER,
          "{\"event_id\": \"d-1\", \"user_id\": 1, \"total_cost\": 1, \"currency\": \"RUB\"}");
      String metrics = service.http().get("/metrics", null).body();
      metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
          .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
    }
    try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
      for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = REGISTERED.matcher(Files.readString(source));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  /** Whether {@code series} (a counter's _total, a histogram's _bucket …) is among {@code exported}. */
  public static boolean contains(Set<String> exported, String series) {
    return exported.contains(series) || exported.contains(SUFFIX.matcher(series).replaceAll(""));
  }
}
