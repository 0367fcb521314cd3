package io.kopeck.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Promo codes: admin operations and the availability check used at preview, invoice and payment. */
public final class PromoCodes {
  private static final String INSERT = """
      INSERT INTO promo_codes (code, discount_type, discount_value, max_uses, max_uses_per_user, valid_from,
                               valid_until, tariff_id, is_active, descriptions)
      VALUES ($1, $2, $3::text::numeric, $4, $5, $6, $7, $8, $9, $10::text::jsonb)
      ON CONFLICT (code) DO NOTHING RETURNING id""";
  private static final String BY_CODE = PromoCode.SELECT + " WHERE p.code = $1";
  private static final String TARIFF = "SELECT id, is_trial FROM tariffs WHERE slug = $1";
  private static final String USES_BY_USER = """
      SELECT count(*) FROM promo_redemptions WHERE user_id = $1 AND promo_code_id = $2""";
  private static final String LOCK = "SELECT uses_count FROM promo_codes WHERE id = $1 FOR UPDATE";
  /** The user's pending, unexpired invoices that carry the code: each holds one of the user's uses. */
  private static final String RESERVED_BY_USER = """
      SELECT count(*) FROM invoices
      WHERE user_id = $1 AND promo_code_id = $2 AND status = 'pending' AND expires_at > $3""";
  /** Everyone's: each holds one of the code's uses. */
  private static final String RESERVED = """
      SELECT count(*) FROM invoices WHERE promo_code_id = $1 AND status = 'pending' AND expires_at > $2""";
  private static final String LOCK_CODE = "SELECT id FROM promo_codes WHERE code = $1 FOR UPDATE";
  private static final String REDEEM = """
      INSERT INTO promo_redemptions (user_id, promo_code_id, tariff_id, invoice_id, kind, created_at)
      VALUES ($1, $2, $3, $4, $5, $6)""";
  private static final String COUNT_USE = "UPDATE promo_codes SET uses_count = uses_count + 1, updated_at = $2 WHERE id = $1";
  private static final String CODE_OF = "SELECT code FROM promo_codes WHERE id = $1";
  private static final String TRIAL_TAKEN = """
      SELECT count(*) FROM promo_redemptions WHERE user_id = $1 AND tariff_id = $2 AND kind = 'trial'""";

  private final Pool pool;
  private final SqlTemplate<Map<String, Object>, SqlResult<List<PromoCode>>> all;
  private final Clock clock;

  public PromoCodes(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
    this.all = SqlTemplate.forQuery(pool, PromoCode.SELECT + " ORDER BY p.created_at, p.code")
        .collecting(Collectors.mapping(PromoCode::of, Collectors.toList()));
  }

  public Future<PromoCode> create(ObjectNode json, Actor actor) {
    PromoFields fields = PromoFields.parse(json, now());
    return pool.withTransaction(tx -> insert(tx, fields)
        .compose(inserted -> !inserted
            ? Future.failedFuture(CatalogRefusal.PROMO_CODE_EXISTS.because("Promo code " + fields.code() + " exists"))
            : find(tx, fields.code()))
        .compose(promo -> AuditLog.record(tx, actor, "promo.create", "promo_code", promo.code(), null, null,
            promo.toJson()).map(promo)));
  }

  /**
   * First start (console mode's demo codes): {@code codes} made when there is no promo code at all, audited;
   * a code another instance made meanwhile is left as it is. How many were made.
   */
  public Future<Integer> seedIfEmpty(List<ObjectNode> codes) {
    return pool.withTransaction(tx -> tx.query("SELECT count(*) FROM promo_codes").execute().compose(rows -> {
      if (rows.iterator().next().getLong(0) > 0) {
        return Future.succeededFuture(0);
      }
      Future<Integer> made = Future.succeededFuture(0);
      for (ObjectNode json : codes) {
        PromoFields fields = PromoFields.parse(json, now());
        made = made.compose(n -> insert(tx, fields).compose(inserted -> !inserted ? Future.succeededFuture(n)
            : find(tx, fields.code()).compose(promo -> AuditLog.record(tx, Actor.SYSTEM, "promo.seed", "promo_code",
                promo.code(), null, null, promo.toJson())).map(n + 1)));
      }
      return made;
    }));
  }

  /** The code inserted; false when a code of that name exists. */
  private Future<Boolean> insert(SqlConnection tx, PromoFields fields) {
    return tariffId(tx, fields).compose(tariffId -> tx.preparedQuery(INSERT).execute(Tuple.of(fields.code(),
            fields.discountType(), fields.discountValue().toPlainString(), fields.maxUses(), fields.maxUsesPerUser(),
            fields.validFrom(), fields.validUntil(), tariffId, fields.active()).addValue(fields.descriptionsJson())))
        .map(rows -> rows.size() > 0);
  }

  public Future<List<PromoCode>> list() {
    return all.execute(Map.of()).map(SqlResult::value);
  }

  /** The code as stored, read on {@code client} (the caller's transaction); null when there is none. */
  public Future<PromoCode> lookup(SqlClient client, String code) {
    return client.preparedQuery(BY_CODE).execute(Tuple.of(PromoCode.normalize(code)))
        .map(rows -> rows.size() == 0 ? null : PromoCode.of(rows.iterator().next()));
  }

  public Future<PromoCode> find(String code) {
    return find(pool, PromoCode.normalize(code));
  }

  public Future<PromoCode> deactivate(String code, Actor actor) {
    String normalized = PromoCode.normalize(code);
    return pool.withTransaction(tx -> find(tx, normalized).compose(before -> tx
        .preparedQuery("UPDATE promo_codes SET is_active = false, updated_at = now() WHERE code = $1")
        .execute(Tuple.of(normalized))
        .compose(v -> find(tx, normalized))
        .compose(after -> AuditLog.record(tx, actor, "promo.deactivate", "promo_code", normalized, null,
            before.toJson(), after.toJson()).map(after))));
  }

  /**
   * Whether {@code userId} may use {@code code} for {@code tariffId} now; the first problem found,
   * in the order of SPEC §4. Runs on the given client, so a payment can re-check inside its own
   * transaction.
   */
  public Future<PromoCheck> check(SqlClient client, String code, long userId, UUID tariffId) {
    String normalized = PromoCode.normalize(code);
    return client.preparedQuery(BY_CODE).execute(Tuple.of(normalized)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(PromoCheck.refused(null, PromoProblem.NOT_FOUND));
      }
      PromoCode promo = PromoCode.of(rows.iterator().next());
      PromoProblem problem = staticProblem(promo, tariffId, now());
      if (problem != null) {
        return Future.succeededFuture(PromoCheck.refused(promo, problem));
      }
      return usedByUser(client, promo, userId).map(used -> used ? PromoCheck.refused(promo, PromoProblem.ALREADY_USED)
          : PromoCheck.ok(promo));
    });
  }

  /**
   * SPEC §17: whether a new invoice of {@code userId} may carry {@code promo}, counting the pending,
   * unexpired invoices that already carry it as uses — the user's against max_uses_per_user, everyone's
   * against max_uses — so that invoices made one after another cannot together take more uses than
   * the code has. Locks the code's row for the rest of {@code tx}: two invoices made at once are
   * counted one after the other (a payment counting a use takes the same lock). Null when it may.
   */
  public Future<PromoProblem> reserve(SqlConnection tx, PromoCode promo, long userId) {
    OffsetDateTime now = now();
    return count(tx, LOCK, Tuple.of(promo.id()))
        .compose(uses -> promo.maxUses() == null ? Future.succeededFuture((PromoProblem) null)
            : count(tx, RESERVED, Tuple.of(promo.id(), now))
                .map(held -> uses + held >= promo.maxUses() ? PromoProblem.EXHAUSTED : null))
        .compose(problem -> problem != null ? Future.succeededFuture(problem)
            : count(tx, USES_BY_USER, Tuple.of(userId, promo.id()))
                .compose(used -> count(tx, RESERVED_BY_USER, Tuple.of(userId, promo.id(), now)).map(held -> used + held))
                .map(taken -> taken >= promo.maxUsesPerUser() ? PromoProblem.ALREADY_USED : null));
  }

  private static Future<Long> count(SqlClient client, String sql, Tuple args) {
    return client.preparedQuery(sql).execute(args).map(rows -> rows.iterator().next().getLong(0));
  }

  /** Locks the code's row (by its text) for the rest of {@code tx}: its last use is taken by one caller only. */
  public Future<Void> lock(SqlConnection tx, String code) {
    return tx.preparedQuery(LOCK_CODE).execute(Tuple.of(PromoCode.normalize(code))).mapEmpty();
  }

  /**
   * A paid invoice's code counts its use (SPEC §4), in the payment's transaction. The code is checked
   * again first: if it ran out, expired or was switched off meanwhile, the payment is still honoured
   * (the payer paid that price) and the audit says why.
   */
  public Future<Void> redeemForInvoice(SqlConnection tx, Invoice invoice, Actor actor, OffsetDateTime now) {
    UUID promoId = invoice.promoCodeId();
    if (promoId == null) {
      return Future.succeededFuture();
    }
    long userId = invoice.userId();
    return tx.preparedQuery(CODE_OF).execute(Tuple.of(promoId))
        .compose(rows -> check(tx, rows.iterator().next().getString("code"), userId, invoice.tariffId()))
        .compose(check -> redeem(tx, userId, promoId, invoice.tariffId(), invoice.id(), "invoice", now)
            .compose(v -> check.usable() ? Future.succeededFuture()
                : AuditLog.record(tx, actor, "promo.honoured_after_recheck", "promo_code", check.promo().code(), userId,
                    null, new JsonObject().put("inv_id", invoice.invId()).put("problem", check.problem().code())
                        .put("uses_count", check.promo().usesCount() + 1).put("max_uses", check.promo().maxUses()))));
  }

  /** A trial code's use, in the trial's transaction (the code checked and locked by the caller). */
  public Future<Void> redeemTrial(SqlConnection tx, long userId, PromoCode promo, UUID tariffId, OffsetDateTime now) {
    return redeem(tx, userId, promo.id(), tariffId, null, "trial", now);
  }

  private static Future<Void> redeem(SqlConnection tx, long userId, UUID promoId, UUID tariffId, UUID invoiceId,
                                     String kind, OffsetDateTime now) {
    return tx.preparedQuery(REDEEM).execute(Tuple.of(userId, promoId, tariffId, invoiceId, kind, now))
        .compose(v -> tx.preparedQuery(COUNT_USE).execute(Tuple.of(promoId, now))).mapEmpty();
  }

  /** The problems visible without looking at the user's history. */
  static PromoProblem staticProblem(PromoCode promo, UUID tariffId, OffsetDateTime now) {
    if (!promo.active()) {
      return PromoProblem.INACTIVE;
    }
    if (now.isBefore(promo.validFrom())) {
      return PromoProblem.NOT_YET_VALID;
    }
    if (promo.validUntil() != null && !now.isBefore(promo.validUntil())) {
      return PromoProblem.EXPIRED;
    }
    if (promo.maxUses() != null && promo.usesCount() >= promo.maxUses()) {
      return PromoProblem.EXHAUSTED;
    }
    if (promo.tariffId() != null && !promo.tariffId().equals(tariffId)) {
      return PromoProblem.WRONG_TARIFF;
    }
    return null;
  }

  /** A trial tariff is granted once per user whatever code is used; other codes count per code. */
  private static Future<Boolean> usedByUser(SqlClient client, PromoCode promo, long userId) {
    if (promo.isTrial()) {
      return client.preparedQuery(TRIAL_TAKEN).execute(Tuple.of(userId, promo.tariffId()))
          .map(rows -> rows.iterator().next().getLong(0) > 0);
    }
    return count(client, USES_BY_USER, Tuple.of(userId, promo.id())).map(used -> used >= promo.maxUsesPerUser());
  }

  private static Future<UUID> tariffId(SqlConnection tx, PromoFields fields) {
    if (fields.tariffSlug() == null) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(TARIFF).execute(Tuple.of(fields.tariffSlug())).map(rows -> {
      if (rows.size() == 0) {
        throw CatalogRefusal.INVALID_PROMO_CODE.because("tariff '" + fields.tariffSlug() + "' does not exist");
      }
      boolean trialTariff = rows.iterator().next().getBoolean("is_trial");
      if (trialTariff != fields.discountType().equals("trial")) {
        throw CatalogRefusal.INVALID_PROMO_CODE.because(trialTariff
            ? "a trial tariff can only be granted by a trial code"
            : "a trial code must name a trial tariff (is_trial)");
      }
      return rows.iterator().next().getUUID("id");
    });
  }

  private static Future<PromoCode> find(SqlClient client, String normalized) {
    return client.preparedQuery(BY_CODE).execute(Tuple.of(normalized)).map(rows -> {
      if (rows.size() == 0) {
        throw CatalogRefusal.PROMO_NOT_FOUND.because("No promo code " + normalized);
      }
      return PromoCode.of(rows.iterator().next());
    });
  }

  private OffsetDateTime now() {
    return Times.utcNow(clock);
  }
}
