package io.kopeck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/architecture.md, checked on the sources: every reference to another
 * Kopeck package (an import or a fully qualified name) must be one the table allows.
 */
class ImportRulesTest {
  private static final Path SOURCES = Path.of("src", "main", "java", "io", "kopeck");
  private static final Set<String> FEATURES = Set.of("usage", "payment", "catalog", "subscription", "user", "stats",
      "admin", "telegram");
  private static final Set<String> ALL = Set.of("common", "db", "config", "ledger", "audit", "i18n", "botapi",
      "web", "notify", "usage", "stats", "admin", "user", "catalog", "payment", "subscription", "telegram", "pays",
      "devconsole", "logging", "app", "cli", "");

  /** Package → the Kopeck packages it may use (besides itself); "" is io.kopeck (Main). */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("common", Set.of()),
      Map.entry("logging", Set.of()),
      Map.entry("db", Set.of("common")),
      Map.entry("config", Set.of("common", "db", "logging")),
      Map.entry("ledger", Set.of("common")),
      Map.entry("audit", Set.of("common")),
      Map.entry("i18n", Set.of("common")),
      Map.entry("botapi", Set.of("common")),
      Map.entry("web", Set.of("common")),
      Map.entry("notify", Set.of("common", "ledger", "audit", "i18n", "botapi")),
      Map.entry("usage", Set.of("common", "web", "ledger")),
      Map.entry("stats", Set.of("common", "web", "ledger")),
      Map.entry("admin", Set.of("common", "web", "ledger")),
      Map.entry("user", Set.of("common", "web", "ledger", "audit", "notify")),
      Map.entry("catalog", Set.of("common", "web", "ledger", "audit", "notify", "i18n")),
      Map.entry("payment", Set.of("common", "web", "ledger", "audit", "notify", "catalog", "botapi")),
      Map.entry("subscription", Set.of("common", "web", "ledger", "audit", "notify", "catalog")),
      Map.entry("telegram", Set.of("common", "web", "ledger", "audit", "notify", "i18n", "botapi", "catalog",
          "subscription", "stats", "user", "payment")),
      Map.entry("pays", Set.of("common", "db")),
      Map.entry("devconsole", Set.of("common", "web")),
      Map.entry("app", without("cli", "")),
      Map.entry("cli", without("")),
      Map.entry("", Set.of("cli", "config")));

  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.kopeck\\.((?:[a-z0-9]+\\.)*)[A-Z]");
  private static final Pattern HTTP_CLASS = Pattern.compile(".*(Api|Pages|Webhook|Route|Responses|Access)");

  private static Set<String> without(String... excluded) {
    Set<String> all = new java.util.HashSet<>(ALL);
    List.of(excluded).forEach(all::remove);
    return Set.copyOf(all);
  }

  private static String packageOf(Path file) {
    String relative = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
    return relative;
  }

  private static List<String> violations() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String from = packageOf(file);
        String className = file.getFileName().toString().replace(".java", "");
        assertThat(ALL).as("package %s is in the table", from).contains(from);
        String source = Files.readString(file).replaceAll("(?m)^package .*$", "");
        Matcher m = REFERENCE.matcher(source);
        while (m.find()) {
          String to = m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).length() - 1);
          if (!to.equals(from) && !ALLOWED.get(from).contains(to)) {
            violations.add(from + "." + className + " uses io.kopeck." + to);
          }
          if (FEATURES.contains(from) && to.equals("web") && !HTTP_CLASS.matcher(className).matches()) {
            violations.add(from + "." + className + " is domain code but speaks HTTP (uses io.kopeck.web)");
          }
        }
      }
    }
    return violations;
  }

  @Test
  @DisplayName("every package uses only the packages docs/architecture.md allows; domain classes never speak HTTP")
  void importRules() throws IOException {
    assertThat(violations()).isEmpty();
  }

  @Test
  @DisplayName("the rule catches a violation: a ledger class that reached for the configuration would be reported")
  void ruleBites() {
    Matcher m = REFERENCE.matcher("import io.kopeck.config.KopeckConfig;");
    assertThat(m.find()).isTrue();
    assertThat(ALLOWED.get("ledger")).doesNotContain(m.group(1).replaceAll("\\.$", ""));
  }
}
