package io.kopeck.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.i18n.Texts;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromoCodesTest {
  static final String ADMIN = TestKeys.ADMIN;
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("ADMIN_API_KEY", ADMIN), CLOCK);
  private static Pool pool;
  private static Http http;
  private static PromoCodes promos;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    promos = new PromoCodes(pool, CLOCK);
  }


  private static Http.Response create(String body) {
    return http.postJson("/admin/api/v1/promo-codes", ADMIN, body);
  }

  private static UUID tariff(String slug) {
    return Http.await(pool.preparedQuery("SELECT id FROM tariffs WHERE slug = $1").execute(Tuple.of(slug)))
        .iterator().next().getUUID(0);
  }

  private static PromoProblem problem(String code, long user, String tariffSlug) {
    return Http.await(promos.check(pool, code, user, tariff(tariffSlug))).problem();
  }

  @Test
  @DisplayName("codes are stored upper-case, found case-insensitively, listed, and deactivated with an audit row")
  void adminLifecycle() {
    String now = CLOCK.instant().toString();
    Http.Response created = create("{\"code\": \"spring10\", \"discount_type\": \"percent\", \"discount_value\": 10, "
        + "\"max_uses\": 100, \"valid_until\": \"2026-12-31T21:00:00Z\"}");
    Http.Response again = create("{\"code\": \"SPRING10\", \"discount_type\": \"fixed\", \"discount_value\": 5}");
    Http.Response shown = http.get("/admin/api/v1/promo-codes/Spring10", ADMIN);
    Http.Response deactivated = http.postJson("/admin/api/v1/promo-codes/spring10/deactivate", ADMIN, "");
    Http.Response listed = http.get("/admin/api/v1/promo-codes", ADMIN);

    assertThat(created.status()).isEqualTo(201);
    JsonObject json = created.json();
    assertThat(json.getString("code")).isEqualTo("SPRING10");
    assertThat(json.getString("discount_value")).isEqualTo("10");
    assertThat(json.getInteger("max_uses_per_user")).isEqualTo(1);
    assertThat(json.getString("valid_from")).as("defaults to now").isEqualTo(now);
    assertThat(again.status()).isEqualTo(409);
    assertThat(shown.json().getString("code")).isEqualTo("SPRING10");
    assertThat(deactivated.json().getBoolean("is_active")).isFalse();
    assertThat(listed.json().getJsonArray("promo_codes")).extracting(o -> ((JsonObject) o).getString("code"))
        .contains("SPRING10");
    assertThat(http.get("/admin/api/v1/promo-codes/NOPE", ADMIN).status()).isEqualTo(404);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE entity_type = 'promo_code' "
        + "AND entity_id = 'SPRING10'")).isEqualTo(2);
  }

  @ParameterizedTest(name = "{1}")
  @DisplayName("invalid promo codes are 400 invalid_promo_code with the reason")
  @CsvSource(delimiter = '|', value = {
      "{\"discount_type\": \"percent\", \"discount_value\": 10}|code is required: 1 to 64 letters, digits, '-' or '_'",
      "{\"code\": \"a b\", \"discount_type\": \"percent\", \"discount_value\": 10}|code is required: 1 to 64 letters, digits, '-' or '_'",
      "{\"code\": \"X1\", \"discount_type\": \"gift\", \"discount_value\": 10}|discount_type must be percent, fixed, bonus_tokens or trial",
      "{\"code\": \"X1\", \"discount_type\": \"percent\", \"discount_value\": 100}|a percent discount_value must be below 100 with at most 2 decimal places",
      "{\"code\": \"X1\", \"discount_type\": \"percent\"}|discount_value must be greater than 0",
      "{\"code\": \"X1\", \"discount_type\": \"fixed\", \"discount_value\": 1.001}|a fixed discount_value is roubles: at most 10000000 with at most 2 decimal places",
      "{\"code\": \"X1\", \"discount_type\": \"trial\"}|tariff is required for a trial code: the trial tariff it grants",
      "{\"code\": \"X1\", \"discount_type\": \"trial\", \"tariff\": \"basic\"}|a trial code must name a trial tariff (is_trial)",
      "{\"code\": \"X1\", \"discount_type\": \"percent\", \"discount_value\": 5, \"tariff\": \"trial\"}|a trial tariff can only be granted by a trial code",
      "{\"code\": \"X1\", \"discount_type\": \"percent\", \"discount_value\": 5, \"tariff\": \"gold\"}|tariff 'gold' does not exist",
      "{\"code\": \"X1\", \"discount_type\": \"percent\", \"discount_value\": 5, \"max_uses\": 0}|max_uses must be a whole number of at least 1, or null",
      "{\"code\": \"X1\", \"discount_type\": \"percent\", \"discount_value\": 5, \"valid_until\": \"tomorrow\"}|valid_until must be an ISO-8601 instant such as 2026-12-31T21:00:00Z",
      "{\"code\": \"X1\", \"discount_type\": \"percent\", \"discount_value\": 5, \"valid_until\": \"2020-01-01T00:00:00Z\"}|valid_until must be later than valid_from"})
  void invalid(String body, String message) {
    Http.Response response = create(body);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo("invalid_promo_code");
    assertThat(response.json().getString("message")).isEqualTo(message);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM promo_codes WHERE code = 'X1'")).isZero();
  }

  @Test
  @DisplayName("each of the seven problems is found, and each has its own ru and en message")
  void sevenProblems() {
    Ledgers.seedUser(pool, 42L, "0");
    create("{\"code\": \"OFF\", \"discount_type\": \"fixed\", \"discount_value\": 5}");
    http.postJson("/admin/api/v1/promo-codes/OFF/deactivate", ADMIN, "");
    create("{\"code\": \"LATER\", \"discount_type\": \"percent\", \"discount_value\": 5, "
        + "\"valid_from\": \"2026-12-01T00:00:00Z\"}");
    create("{\"code\": \"GONE\", \"discount_type\": \"percent\", \"discount_value\": 5, "
        + "\"valid_from\": \"2026-01-01T00:00:00Z\", \"valid_until\": \"2026-11-01T00:00:00Z\"}");
    create("{\"code\": \"ONCE\", \"discount_type\": \"percent\", \"discount_value\": 5, \"max_uses\": 1}");
    Http.await(pool.query("UPDATE promo_codes SET uses_count = 1 WHERE code = 'ONCE'").execute());
    create("{\"code\": \"BASIC5\", \"discount_type\": \"percent\", \"discount_value\": 5, \"tariff\": \"basic\"}");
    create("{\"code\": \"TRIAL8\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}");
    create("{\"code\": \"TRY-AGAIN\", \"discount_type\": \"trial\", \"tariff\": \"trial\", \"max_uses\": 10}");
    Http.await(pool.preparedQuery("INSERT INTO promo_redemptions (user_id, promo_code_id, tariff_id, kind) "
        + "SELECT 42, id, tariff_id, 'trial' FROM promo_codes WHERE code = 'TRIAL8'").execute());

    assertThat(problem("nothing", 42, "standard")).isEqualTo(PromoProblem.NOT_FOUND);
    assertThat(problem("off", 42, "standard")).isEqualTo(PromoProblem.INACTIVE);
    assertThat(problem("later", 42, "standard")).isEqualTo(PromoProblem.NOT_YET_VALID);
    assertThat(problem("gone", 42, "standard")).isEqualTo(PromoProblem.EXPIRED);
    assertThat(problem("once", 42, "standard")).isEqualTo(PromoProblem.EXHAUSTED);
    assertThat(problem("basic5", 42, "standard")).isEqualTo(PromoProblem.WRONG_TARIFF);
    assertThat(problem("basic5", 42, "basic")).isNull();
    // A trial tariff is granted once per user, whichever code asks for it.
    assertThat(problem("try-again", 42, "trial")).isEqualTo(PromoProblem.ALREADY_USED);
    assertThat(problem("try-again", 43, "trial")).isNull();
    CLOCK.advance(Duration.ofDays(6));
    assertThat(problem("later", 42, "standard")).as("valid from Dec 1").isNull();

    Texts ru = Texts.forLanguage("ru");
    Texts en = Texts.forLanguage("en-US");
    assertThat(PromoProblem.values()).extracting(p -> p.message(ru, "X", "01.12.2026")).doesNotHaveDuplicates()
        .allSatisfy(text -> assertThat(text).contains("X").doesNotContain("{"));
    assertThat(PromoProblem.values()).extracting(p -> p.message(en, "X", "12/01/2026")).doesNotHaveDuplicates()
        .allSatisfy(text -> assertThat(text).contains("X").doesNotContain("{"));
    assertThat(PromoProblem.EXPIRED.message(ru, "GONE")).isEqualTo("Срок действия промокода GONE истёк.");
    assertThat(PromoProblem.ALREADY_USED.message(en, "TRIAL8")).isEqualTo("You have already used promo code TRIAL8.");
    assertThat(PromoProblem.WRONG_TARIFF.code()).isEqualTo("promo_wrong_tariff");
  }
}
