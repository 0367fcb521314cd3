package io.kopeck.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogTest {
  static final String ADMIN = TestKeys.ADMIN;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("ADMIN_API_KEY", ADMIN));
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }


  private static Http.Response post(String body) {
    return http.postJson("/admin/api/v1/tariffs", ADMIN, body);
  }

  private static Http.Response patch(String slug, String body) {
    return Http.await(http.send(io.vertx.core.http.HttpMethod.PATCH, "/admin/api/v1/tariffs/" + slug, ADMIN,
        "application/json", body));
  }

  @Test
  @DisplayName("the first start seeds three paid tariffs and a trial of 30 tokens and 8 days, audited")
  void seeded() {
    JsonObject list = http.get("/admin/api/v1/tariffs", ADMIN).json();

    assertThat(list.getJsonArray("tariffs").stream().map(t -> ((JsonObject) t).getString("slug")))
        .startsWith("basic", "standard", "pro").contains("trial");
    JsonObject trial = list.getJsonArray("tariffs").stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("slug").equals("trial")).findFirst().orElseThrow();
    assertThat(trial.getString("price")).isEqualTo("0.00");
    assertThat(trial.getString("tokens")).isEqualTo("30.0000");
    assertThat(trial.getString("period_unit")).isEqualTo("day");
    assertThat(trial.getInteger("period_value")).isEqualTo(8);
    assertThat(trial.getBoolean("is_trial")).isTrue();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'tariff.seed' AND actor_type = 'system'"))
        .isEqualTo(4);
  }

  @Test
  @DisplayName("a restart never overwrites the operator's catalog")
  void restartKeepsEdits() {
    assertThat(patch("pro", "{\"price\": \"1799.00\", \"name\": \"Pro+\"}").status()).isEqualTo(200);

    Application again = TestApp.start(service.db(), Map.of());
    again.stop();

    JsonObject pro = http.get("/admin/api/v1/tariffs", ADMIN).json().getJsonArray("tariffs").stream()
        .map(JsonObject.class::cast).filter(t -> t.getString("slug").equals("pro")).findFirst().orElseThrow();
    assertThat(pro.getString("price")).isEqualTo("1799.00");
    assertThat(pro.getString("name")).isEqualTo("Pro+");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM tariffs")).isGreaterThanOrEqualTo(4);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'tariff.seed'")).isEqualTo(4);
  }

  @Test
  @DisplayName("POST creates a tariff with exact amounts (201); the same slug again is 409")
  void create() {
    Http.Response created = post("{\"slug\": \"mega\", \"name\": \"Мега\", \"price\": 2999.9, \"tokens\": \"5000.5\", "
        + "\"period_unit\": \"month\", \"period_value\": 3, \"subscription_fee\": 3500, \"sort_order\": 40}");
    Http.Response again = post("{\"slug\": \"mega\", \"name\": \"x\", \"price\": 1, \"tokens\": 1}");

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().getString("price")).isEqualTo("2999.90");
    assertThat(created.json().getString("tokens")).isEqualTo("5000.5000");
    assertThat(created.json().getString("subscription_fee")).isEqualTo("3500.0000");
    assertThat(created.json().getBoolean("is_active")).isTrue();
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("error")).isEqualTo("tariff_exists");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'tariff.create' "
        + "AND entity_id = 'mega' AND new_value->>'price' = '2999.90'")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{1}")
  @DisplayName("invalid tariffs are 400 invalid_tariff with the field named, and nothing is written")
  @CsvSource(delimiter = '|', value = {
      "{\"name\": \"x\", \"price\": 1, \"tokens\": 1}|slug is required: 1 to 40 of a-z, 0-9, '-' and '_', starting with a letter or digit",
      "{\"slug\": \"Bad Slug\", \"name\": \"x\", \"price\": 1, \"tokens\": 1}|slug is required: 1 to 40 of a-z, 0-9, '-' and '_', starting with a letter or digit",
      "{\"slug\": \"t1\", \"price\": 1, \"tokens\": 1}|name is required",
      "{\"slug\": \"t1\", \"name\": \"x\", \"tokens\": 1}|price is required",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": -1, \"tokens\": 1}|price must be a number from 0 to 10000000 with at most 2 decimal places",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1.005, \"tokens\": 1}|price must be a number from 0 to 10000000 with at most 2 decimal places",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": \"abc\", \"tokens\": 1}|price must be a number or a decimal string",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 0, \"tokens\": 1}|price must be greater than 0 (only trial tariffs are free)",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1.00001}|tokens must be a number from 0 to 1000000000000 with at most 4 decimal places",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1, \"period_unit\": \"week\", \"period_value\": 1}|period_unit must be hour, day, month or null",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1, \"period_unit\": \"day\"}|period_unit and period_value go together (both set, or both null)",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1, \"period_unit\": \"day\", \"period_value\": 0}|period_value must be a whole number from 1 to 1000",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1, \"is_active\": \"yes\"}|is_active must be true or false",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1, \"price_stars\": 0}|price_stars must be a whole number from 1 to 1000000",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1, \"price_stars\": 2.5}|price_stars must be a whole number from 1 to 1000000",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1, \"price_stars\": \"250\"}|price_stars must be a whole number from 1 to 1000000",
      "{\"slug\": \"t1\", \"name\": \"x\", \"price\": 1, \"tokens\": 1, \"price_stars\": 99999999999}|price_stars must be a whole number from 1 to 1000000"})
  void invalid(String body, String message) {
    long before = Ledgers.count(pool, "SELECT count(*) FROM tariffs");

    Http.Response response = post(body);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo("invalid_tariff");
    assertThat(response.json().getString("message")).isEqualTo(message);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM tariffs")).isEqualTo(before);
  }

  @Test
  @DisplayName("price_stars: set on create and by PATCH, cleared with null; the seeded monthly tariffs have one")
  void starsPrice() {
    Http.Response created = post("{\"slug\": \"starry\", \"name\": \"Звёздный\", \"price\": 99, \"tokens\": 100, "
        + "\"price_stars\": 70, \"sort_order\": 90}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().getInteger("price_stars")).isEqualTo(70);
    assertThat(patch("starry", "{\"price_stars\": 75}").json().getInteger("price_stars")).isEqualTo(75);
    Http.Response cleared = patch("starry", "{\"price_stars\": null}");
    assertThat(cleared.status()).isEqualTo(200);
    assertThat(cleared.json().getValue("price_stars")).isNull();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM tariffs WHERE slug IN ('basic', 'standard', 'pro') "
        + "AND price_stars > 0")).isEqualTo(3);
  }

  @Test
  @DisplayName("PATCH changes only the given fields, audits old and new values; unknown slug 404; slug is fixed")
  void update() {
    Http.Response changed = patch("basic", "{\"subscription_fee\": \"175.5\", \"sort_order\": 5}");
    Http.Response unknown = patch("nope", "{\"name\": \"x\"}");
    Http.Response renamed = patch("basic", "{\"slug\": \"other\"}");
    Http.Response freeNotTrial = patch("basic", "{\"price\": 0}");
    Http.Response nothing = patch("basic", "{}");

    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.json().getString("subscription_fee")).isEqualTo("175.5000");
    assertThat(changed.json().getInteger("sort_order")).isEqualTo(5);
    assertThat(changed.json().getString("price")).isEqualTo("199.00");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("error")).isEqualTo("tariff_not_found");
    assertThat(renamed.status()).isEqualTo(400);
    assertThat(freeNotTrial.json().getString("message")).isEqualTo("price must be greater than 0 (only trial tariffs are free)");
    assertThat(nothing.status()).isEqualTo(400);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'tariff.update' AND entity_id = 'basic' "
        + "AND old_value->>'subscription_fee' = '150.0000' AND new_value->>'subscription_fee' = '175.5000'")).isEqualTo(1);
  }

  @Test
  @DisplayName("the catalog admin API needs the admin key")
  void requiresAdminKey() {
    assertThat(http.get("/admin/api/v1/tariffs", null).status()).isEqualTo(401);
    assertThat(http.postJson("/admin/api/v1/tariffs", "wrong", "{}").status()).isEqualTo(401);
  }
}
