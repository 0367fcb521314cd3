package io.kopeck.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * distribute.sql read in its three parts (the Citus run itself is deploy/citus/test.sh): every table of
 * the schema's Citus layout one statement, the reference tables first, users before the tables co-located
 * with it.
 */
class CitusScriptTest {
  @Test
  @DisplayName("the script splits into prepare, one statement per table (18, in order) and finish")
  void parts() {
    CitusSchema.Script script = CitusSchema.Script.load();
    assertThat(script.prepare()).contains("DO $prepare$", "citus.enable_unsafe_triggers").doesNotContain("create_");
    assertThat(script.tables()).hasSize(18);
    assertThat(script.tables().keySet()).startsWith("tariffs", "promo_codes", "tracks", "users")
        .contains("grants", "webhook_events", "telegram_updates");
    assertThat(script.tables().values()).allMatch(sql -> sql.startsWith("SELECT create_") && sql.endsWith(";"));
    assertThat(script.finish()).contains("DO $finish$", "truncate_local_data_after_distributing_table",
        "invoices_user_id_fkey");
  }
}
