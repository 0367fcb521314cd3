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
 * "One owner per row" (docs/architecture.md): SQL that writes an owned column or table appears only
 * in the package that owns it. Imports show who calls whom; this shows who writes what.
 */
class OwnershipRulesTest {
  private static final Path SOURCES = Path.of("src", "main", "java", "io", "kopeck");

  /** users' columns → the package whose SQL alone writes them (updated_at is everyone's bookkeeping). */
  static final Map<String, String> USERS_COLUMNS = Map.ofEntries(
      Map.entry("token_balance", "ledger"), Map.entry("balance_seq", "ledger"), Map.entry("spent_day", "ledger"),
      Map.entry("spent_today", "ledger"), Map.entry("held", "ledger"),
      Map.entry("subscription_end", "subscription"), Map.entry("tariff_id", "subscription"),
      Map.entry("last_expiry_notice", "subscription"), Map.entry("expired_notified", "subscription"),
      Map.entry("auto_renew", "subscription"), Map.entry("low_balance_tier", "subscription"),
      Map.entry("daily_limit_notified_on", "subscription"), Map.entry("stars_subscription_charge_id", "subscription"),
      Map.entry("stars_subscription_canceled", "subscription"),
      Map.entry("id", "user"), Map.entry("username", "user"), Map.entry("first_name", "user"),
      Map.entry("last_name", "user"), Map.entry("language_code", "user"), Map.entry("language_override", "user"),
      Map.entry("daily_spend_limit", "user"), Map.entry("cost_message_format", "user"), Map.entry("email", "user"),
      Map.entry("saved_promo_code", "user"), Map.entry("is_blocked", "user"), Map.entry("bot_blocked", "user"));
  /** Whole tables (any write) → their owning package. */
  static final Map<String, String> TABLES = Map.of("promo_redemptions", "catalog", "telegram_payment_updates", "payment",
      "holds", "ledger", "tracks", "track", "product_updates", "product", "grants", "ledger", "webhook_events", "events");
  /** promo_codes' use count → catalog (the rest of promo_codes is the catalog's anyway). */
  static final Map<String, String> PROMO_CODES_COLUMNS = Map.of("uses_count", "catalog");
  /** The importer of the seed system writes whole rows into a fresh database, in bulk (docs/migrating-from-pays.md). */
  static final Set<String> EXEMPT = Set.of("pays");

  private static final Pattern UPDATE = Pattern.compile(
      "UPDATE\\s+(users|promo_codes)\\b(?:\\s+(?!SET\\b)\\w+)?\\s+SET\\s+(.+?)(?=\\bWHERE\\b|\\bFROM\\b|\\bRETURNING\\b|\"\"\"|;)",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern INSERT_USERS = Pattern.compile("INSERT\\s+INTO\\s+users\\s*\\(([^)]*)\\)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern TABLE_WRITE = Pattern.compile(
      "(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+(\\w+)", Pattern.CASE_INSENSITIVE);

  /** Every owned write in {@code source} (a file of package {@code from}) that its owner did not make. */
  static List<String> violations(String from, String file, String source) {
    List<String> found = new ArrayList<>();
    if (EXEMPT.contains(from)) {
      return found;
    }
    Matcher update = UPDATE.matcher(source);
    while (update.find()) {
      Map<String, String> owners = update.group(1).equalsIgnoreCase("users") ? USERS_COLUMNS : PROMO_CODES_COLUMNS;
      for (String column : assignedColumns(update.group(2))) {
        check(found, from, file, update.group(1) + "." + column, owners.get(column));
      }
    }
    Matcher insert = INSERT_USERS.matcher(source);
    while (insert.find()) {
      for (String column : insert.group(1).split(",")) {
        check(found, from, file, "users." + column.strip(), USERS_COLUMNS.get(column.strip()));
      }
    }
    Matcher table = TABLE_WRITE.matcher(source);
    while (table.find()) {
      check(found, from, file, table.group(1), TABLES.get(table.group(1).toLowerCase(java.util.Locale.ROOT)));
    }
    return found;
  }

  private static void check(List<String> found, String from, String file, String what, String owner) {
    if (owner != null && !owner.equals(from)) {
      found.add(from + "." + file + " writes " + what + ", which only " + owner + " may write");
    }
  }

  /** The column on the left of each top-level assignment of a SET clause. */
  static List<String> assignedColumns(String set) {
    List<String> columns = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= set.length(); i++) {
      char c = i < set.length() ? set.charAt(i) : ',';
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        Matcher column = Pattern.compile("^[\\s\"+]*(\\w+)\\s*=").matcher(set.substring(start, i));
        if (column.find()) {
          columns.add(column.group(1).toLowerCase(java.util.Locale.ROOT));
        }
        start = i + 1;
      }
    }
    return columns;
  }

  private static List<String> violations() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String from = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
        violations.addAll(violations(from, file.getFileName().toString(), Files.readString(file)));
      }
    }
    return violations;
  }

  @Test
  @DisplayName("SQL that writes an owned column or table appears only in its owner's package")
  void ownersOnly() throws IOException {
    assertThat(violations()).isEmpty();
  }

  @Test
  @DisplayName("the rule bites: planted writes of a balance, a subscription end, a preference and a redemption "
      + "outside their owners are each reported; the same SQL in the owner is not")
  void ruleBites() {
    String planted = """
        private static final String A = "UPDATE users SET token_balance = 0, updated_at = now() WHERE id = $1";
        private static final String B = \"""
            UPDATE users u SET subscription_end = $2, last_expiry_notice = NULL WHERE u.id = $1\""";
        private static final String C = "INSERT INTO users (id, daily_spend_limit) VALUES ($1, $2)";
        private static final String D = "INSERT INTO promo_redemptions (user_id) VALUES ($1)";
        private static final String E = "UPDATE promo_codes SET uses_count = uses_count + 1 WHERE id = $1";
        """;

    assertThat(violations("telegram", "Planted.java", planted)).containsExactlyInAnyOrder(
        "telegram.Planted.java writes users.token_balance, which only ledger may write",
        "telegram.Planted.java writes users.subscription_end, which only subscription may write",
        "telegram.Planted.java writes users.last_expiry_notice, which only subscription may write",
        "telegram.Planted.java writes users.id, which only user may write",
        "telegram.Planted.java writes users.daily_spend_limit, which only user may write",
        "telegram.Planted.java writes promo_redemptions, which only catalog may write",
        "telegram.Planted.java writes promo_codes.uses_count, which only catalog may write");
    assertThat(violations("ledger", "Owner.java", "UPDATE users SET token_balance = $2 WHERE id = $1")).isEmpty();
  }
}
