package io.kopeck.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.ExportedSeries;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The provisioned Grafana dashboard loads as a dashboard (unique panel ids, grid positions, the
 * provisioned data source) and asks only for series Kopeck really exports: Vert.x and JVM names
 * are looked up in a live /metrics, Kopeck's own (some registered only once their event happens)
 * in the meter names the code registers.
 */
class GrafanaDashboardTest {
  private static final Pattern METRIC = Pattern.compile("\\b((?:kopeck|vertx|jvm)_[a-z_]+)");

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

    Set<String> exported = ExportedSeries.names();
    for (String series : wanted) {
      assertThat(ExportedSeries.contains(exported, series)).as("dashboard series %s is exported or registered", series)
          .isTrue();
    }
  }
}
