package io.kopeck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/architecture.md, checked on the sources — every reference to another
 * Kopeck package (an import, a wildcard import, a fully qualified name) must be one the table allows —
 * and again on the compiled classes with the JDK's own {@code jdeps}, which also sees what a source
 * scan could miss. The table itself is checked to point down the floors of the drawing only.
 */
class ImportRulesTest {
  private static final Path SOURCES = Path.of("src", "main", "java", "io", "kopeck");
  private static final Path CLASSES = Path.of("target", "classes");
  private static final Set<String> FEATURES = Set.of("usage", "payment", "catalog", "subscription", "user", "stats",
      "admin", "telegram");

  /**
   * The floors of docs/architecture.md's drawing, bottom first. An allowed import must go to a lower
   * rank: down a floor, or, inside the features floor, down its order (payment uses subscription uses
   * catalog) — never sideways at the same rank, never up.
   */
  private static final Map<String, Integer> RANK = Map.ofEntries(
      Map.entry("common", 0), Map.entry("logging", 0),
      Map.entry("db", 10), Map.entry("ledger", 10), Map.entry("audit", 10), Map.entry("i18n", 10),
      Map.entry("botapi", 10), Map.entry("web", 10), Map.entry("events", 10),
      Map.entry("config", 20), Map.entry("notify", 20),
      Map.entry("user", 30), Map.entry("catalog", 30), Map.entry("usage", 30), Map.entry("stats", 30),
      Map.entry("admin", 30), Map.entry("pays", 30), Map.entry("product", 30),
      Map.entry("subscription", 31), Map.entry("track", 31), Map.entry("payment", 32),
      Map.entry("telegram", 40), Map.entry("devconsole", 40),
      Map.entry("app", 50), Map.entry("cli", 60), Map.entry("", 70));

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
      Map.entry("events", Set.of("common")),
      Map.entry("notify", Set.of("common", "ledger", "audit", "i18n", "botapi")),
      Map.entry("usage", Set.of("common", "web", "ledger")),
      Map.entry("stats", Set.of("common", "web", "ledger")),
      Map.entry("admin", Set.of("common", "web", "ledger", "events")),
      Map.entry("user", Set.of("common", "web", "ledger", "audit", "notify", "events")),
      Map.entry("catalog", Set.of("common", "web", "ledger", "audit", "notify", "i18n")),
      Map.entry("subscription", Set.of("common", "web", "ledger", "audit", "notify", "catalog", "events")),
      Map.entry("payment", Set.of("common", "web", "ledger", "audit", "notify", "catalog", "subscription", "botapi",
          "events", "i18n")),
      Map.entry("telegram", Set.of("common", "web", "ledger", "audit", "notify", "i18n", "botapi", "catalog",
          "subscription", "stats", "user", "payment", "track", "product")),
      Map.entry("track", Set.of("common", "web", "ledger", "audit", "notify", "i18n", "botapi", "usage", "events")),
      Map.entry("pays", Set.of("common", "db")),
      Map.entry("product", Set.of("common", "botapi")),
      Map.entry("devconsole", Set.of("common", "web")),
      Map.entry("app", without("cli", "")),
      Map.entry("cli", without("")),
      Map.entry("", Set.of("cli", "config")));

  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.kopeck\\.((?:[a-z0-9]+\\.)*)[A-Z]");
  private static final Pattern WILDCARD = Pattern.compile("import\\s+(?:static\\s+)?io\\.kopeck((?:\\.[a-z0-9]+)*)\\.\\*\\s*;");
  private static final Pattern HTTP_CLASS = Pattern.compile(".*(Api|Pages|Webhook|Route|Responses|Access)");

  private static Set<String> without(String... excluded) {
    Set<String> all = new HashSet<>(RANK.keySet());
    List.of(excluded).forEach(all::remove);
    return Set.copyOf(all);
  }

  /** The references of a source file of package {@code from} that the table does not allow. */
  static List<String> violations(String from, String className, String source) {
    List<String> violations = new ArrayList<>();
    assertThat(RANK).as("package %s is in the table", from).containsKey(from);
    String body = source.replaceAll("(?m)^package .*$", "");
    List<String> used = new ArrayList<>();
    Matcher reference = REFERENCE.matcher(body);
    while (reference.find()) {
      used.add(reference.group(1).isEmpty() ? "" : reference.group(1).substring(0, reference.group(1).length() - 1));
    }
    Matcher wildcard = WILDCARD.matcher(body);
    while (wildcard.find()) {
      used.add(wildcard.group(1).isEmpty() ? "" : wildcard.group(1).substring(1));
    }
    for (String to : used) {
      if (!to.equals(from) && !ALLOWED.get(from).contains(to)) {
        violations.add(from + "." + className + " uses io.kopeck." + to);
      }
      if (FEATURES.contains(from) && to.equals("web") && !HTTP_CLASS.matcher(className).matches()) {
        violations.add(from + "." + className + " is domain code but speaks HTTP (uses io.kopeck.web)");
      }
    }
    return violations;
  }

  private static List<String> violations() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String from = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
        violations.addAll(violations(from, file.getFileName().toString().replace(".java", ""), Files.readString(file)));
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
  @DisplayName("the rule bites: a planted wildcard import, a planted import and a fully qualified name are reported")
  void ruleBites() {
    String planted = """
        package io.kopeck.ledger;

        import io.kopeck.config.*;
        import io.kopeck.payment.Payments;

        final class Planted {
          io.kopeck.telegram.Chat chat;
        }
        """;

    assertThat(violations("ledger", "Planted", planted)).containsExactlyInAnyOrder(
        "ledger.Planted uses io.kopeck.config", "ledger.Planted uses io.kopeck.payment",
        "ledger.Planted uses io.kopeck.telegram");
    assertThat(violations("usage", "Runs", "import io.kopeck.web.JsonHttp;"))
        .containsExactly("usage.Runs is domain code but speaks HTTP (uses io.kopeck.web)");
    assertThat(violations("usage", "RunsApi", "import io.kopeck.web.JsonHttp;\nimport io.kopeck.ledger.*;")).isEmpty();
  }

  @Test
  @DisplayName("the table follows the drawing: every allowed import points to a lower floor (no import runs back up)")
  void tableFollowsTheFloors() {
    List<String> upward = new ArrayList<>();
    ALLOWED.forEach((from, targets) -> targets.forEach(to -> {
      if (!to.equals(from) && RANK.get(to) >= RANK.get(from)) {
        upward.add(from + " → " + to);
      }
    }));
    assertThat(upward).isEmpty();
  }

  @Test
  @DisplayName("the compiled classes agree: every package dependency jdeps finds is one the table allows")
  void bytecodeAgrees() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = jdeps.run(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, "-verbose:package",
        "-e", "io\\.kopeck.*", CLASSES.toString());
    assertThat(exit).isZero();
    Matcher edge = Pattern.compile("^\\s*io\\.kopeck(\\S*)\\s+->\\s+io\\.kopeck(\\S*)\\s", Pattern.MULTILINE)
        .matcher(out.toString(StandardCharsets.UTF_8));
    List<String> edges = new ArrayList<>();
    List<String> forbidden = new ArrayList<>();
    while (edge.find()) {
      String from = edge.group(1).isEmpty() ? "" : edge.group(1).substring(1);
      String to = edge.group(2).isEmpty() ? "" : edge.group(2).substring(1);
      edges.add(from + " → " + to);
      if (!from.equals(to) && !ALLOWED.getOrDefault(from, Set.of()).contains(to)) {
        forbidden.add(from + " → " + to);
      }
    }
    assertThat(edges).as("jdeps found the packages' dependencies").isNotEmpty();
    assertThat(forbidden).isEmpty();
  }
}
