package io.kopeck.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.ExportedSeries;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/prometheus/alerts.yml: a rule group Prometheus can load (every rule named, with an expression, a
 * severity and a summary), loaded by prometheus.yml, covering what an operator must hear of (readiness,
 * charge errors, backlogs, failed notifications, payment signature failures), and asking only for series
 * Kopeck really exports.
 */
class AlertRulesTest {
  private static final Pattern METRIC = Pattern.compile("\\b((?:kopeck|vertx|jvm)_[a-z_]+)");

  @Test
  @SuppressWarnings("unchecked")
  void rulesAreWellFormedAndUseExportedSeries() throws IOException {
    Map<String, Object> file;
    try (Reader reader = Files.newBufferedReader(Path.of("deploy/prometheus/alerts.yml"))) {
      file = new Yaml().load(reader);
    }
    assertThat(Files.readString(Path.of("deploy/prometheus/prometheus.yml"))).contains("- alerts.yml");
    List<Map<String, Object>> groups = (List<Map<String, Object>>) file.get("groups");
    Set<String> names = new HashSet<>();
    Set<String> wanted = new HashSet<>();
    for (Map<String, Object> group : groups) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        String alert = (String) rule.get("alert");
        assertThat(names.add(alert)).as("unique alert %s", alert).isTrue();
        assertThat((String) rule.get("expr")).as(alert).isNotBlank();
        assertThat(((Map<String, Object>) rule.get("labels")).get("severity")).as(alert).isIn("warning", "critical");
        assertThat(((Map<String, Object>) rule.get("annotations")).get("summary")).as(alert).isNotNull();
        Matcher m = METRIC.matcher((String) rule.get("expr"));
        while (m.find()) {
          wanted.add(m.group(1));
        }
      }
    }
    assertThat(names).contains("KopeckNotReady", "KopeckChargeErrors", "KopeckNotificationBacklog",
        "KopeckWebhookBacklog", "KopeckNotificationsFailed", "KopeckPaymentSignatureFailures");
    Set<String> exported = ExportedSeries.names();
    for (String series : wanted) {
      assertThat(ExportedSeries.contains(exported, series)).as("alert series %s is exported or registered", series)
          .isTrue();
    }
    assertThat(wanted).contains("kopeck_ready", "kopeck_notifications_pending", "vertx_http_server_requests_total");
  }
}
