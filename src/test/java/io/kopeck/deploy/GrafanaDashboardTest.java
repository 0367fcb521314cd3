package io.kopeck.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The provisioned Grafana dashboard loads as a dashboard (unique panel ids, grid positions, the
 * provisioned data source) and asks only for series Kopeck really exports: Vert.x and JVM names
 * are looked up in a live /metrics, Kopeck's own (some registered only once their event happens)
 * in the meter names the code registers.
 */
class GrafanaDashboardTest {
  private static final Pattern METRIC = Pattern.compile("\\b((?:kopeck|vertx|jvm)_[a-z_]+)");
  private static final Pattern REGISTERED = Pattern.compile("\"(kopeck_[a-z_]+)\"");

  @Test
  void dashboardIsValidAndUsesExportedSeries() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("deploy/grafana/dashboards/kopeck.json")));
    String datasource = Files.readString(Path.of("deploy/grafana/provisioning/datasources/prometheus.yml"));
    assertThat(dashboard.getString("uid")).isEqualTo("kopeck");
    JsonArray panels = dashboard.getJsonArray("panels");
    assertThat(panels).hasSizeGreaterThanOrEqualTo(10);

    Set<Integer> ids = new HashSet<>();
    Set<String> wanted = new HashSet<>();
    for (Object item : panels) {
      JsonObject panel = (JsonObject) item;
      assertThat(ids.add(panel.getInteger("id"))).as("unique id %s", panel.getInteger("id")).isTrue();
      assertThat(panel.getJsonObject("gridPos").fieldNames()).contains("x", "y", "w", "h");
      assertThat(datasource).contains("uid: " + panel.getJsonObject("datasource").getString("uid"));
      for (Object target : panel.getJsonArray("targets")) {
        Matcher m = METRIC.matcher(((JsonObject) target).getString("expr"));
        while (m.find()) {
          wanted.add(m.group(1));
        }
      }
    }

    Set<String> exported = exportedSeries();
    for (String series : wanted) {
      String base = series.replaceAll("_(total|bucket|sum|count|max)$", "");
      assertThat(exported.contains(series) || exported.contains(base))
          .as("dashboard series %s is exported or registered", series).isTrue();
    }
  }

  /** Series names from a live /metrics after one charge, plus every kopeck_* meter name in the code. */
  private static Set<String> exportedSeries() throws IOException {
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
}
