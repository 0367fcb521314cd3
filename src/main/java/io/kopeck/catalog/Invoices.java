package io.kopeck.catalog;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.kopeck.ledger.Ledger;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invoices (SPEC §4): creation that a repeated tap cannot duplicate, user cancellation, and the
 * expiry of pending invoices. The status machine itself is enforced by a trigger in SQL.
 */
public final class Invoices {
  private static final Logger log = LoggerFactory.getLogger(Invoices.class);

  private static final String TARIFF = "SELECT " + Tariff.COLUMNS + " FROM tariffs WHERE slug = $1";
  private static final String SAME_PENDING = "SELECT " + Invoice.COLUMNS + " " + """
      FROM invoices
      WHERE user_id = $1 AND tariff_id = $2 AND promo_code_id IS NOT DISTINCT FROM $3
        AND original_amount = $4::text::numeric AND period_unit IS NOT DISTINCT FROM $5 AND status = 'pending'
        AND created_at >= $6 AND expires_at > $7 AND provider = $8 AND currency = $9
      ORDER BY created_at DESC LIMIT 1""";
  private static final String INSERT = """
      INSERT INTO invoices (user_id, tariff_id, promo_code_id, amount, original_amount, tokens, bonus_tokens,
                            period_unit, period_value, idempotency_key, provider, expires_at, created_at, updated_at,
                            currency, star_subscription)
      VALUES ($1, $2, $3, $4::text::numeric, $5::text::numeric, $6::text::numeric, $7::text::numeric, $8, $9, $10,
              $11, $12, $13, $13, $14, $15)
      RETURNING\s""" + Invoice.COLUMNS;
  /** The user's pending invoices beyond the newest $2, oldest first: those a new invoice pushes out. */
  private static final String OLDEST_PENDING = """
      SELECT inv_id FROM invoices WHERE user_id = $1 AND status = 'pending' AND expires_at > $3
      ORDER BY created_at DESC, inv_id DESC OFFSET $2""";
  private static final String BY_INV_ID = "SELECT " + Invoice.COLUMNS + " FROM invoices WHERE inv_id = $1";

  private static final String SET_URL = "UPDATE invoices SET payment_url = $2 WHERE id = $1 RETURNING "
      + Invoice.COLUMNS;

  private final Pool pool;
  private final Clock clock;
  private final PromoCodes promoCodes;
  private final Ledger ledger;
  private final InvoiceSettings config;
  private final Map<String, PaymentLinks> links = new LinkedHashMap<>();

  /** {@code links}: the enabled payment methods, the one that makes invoices by default first. */
  public Invoices(Pool pool, Clock clock, InvoiceSettings config, PromoCodes promoCodes, Ledger ledger,
                  PaymentLinks... links) {
    this(pool, clock, config, promoCodes, ledger, List.of(links));
  }

  public Invoices(Pool pool, Clock clock, InvoiceSettings config, PromoCodes promoCodes, Ledger ledger,
                  List<? extends PaymentLinks> links) {
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.promoCodes = promoCodes;
    this.ledger = ledger;
    links.forEach(link -> this.links.put(link.name(), link));
  }

  /** The enabled payment methods, the default one first. */
  public List<PaymentLinks> methods() {
    return List.copyOf(links.values());
  }

  /**
   * The provider of invoices made without naming one (the preview's invoice): the first rouble
   * provider in PAYMENT_PROVIDERS — Stars is a button next to it — or Stars when it is the only one.
   */
  public String defaultProvider() {
    return links.values().stream().filter(link -> !link.currency().equals(Invoice.STARS)).findFirst()
        .orElse(links.values().iterator().next()).name();
  }

  /** Whether a rouble provider is enabled (custom amounts in roubles, tariffs without a Stars price). */
  public boolean takesRoubles() {
    return links.values().stream().anyMatch(link -> !link.currency().equals(Invoice.STARS));
  }

  /** Buying a tariff, optionally with a promo code, through the default provider. */
  public Future<Invoice> forTariff(long userId, String tariffSlug, String promoCode) {
    return forTariff(userId, tariffSlug, promoCode, defaultProvider());
  }

  /** Buying a tariff through {@code provider}: priced in Stars when that provider takes Stars. */
  public Future<Invoice> forTariff(long userId, String tariffSlug, String promoCode, String provider) {
    return method(provider).compose(link -> create(userId, tariffSlug, promoCode, null, link, null));
  }

  /** A custom top-up of {@code amount} RUB against DEFAULT_TARIFF: tokens only, no subscription days. */
  public Future<Invoice> forAmount(long userId, BigDecimal amount, String promoCode) {
    return forAmount(userId, amount, promoCode, defaultProvider());
  }

  /** The same through a rouble provider. */
  public Future<Invoice> forAmount(long userId, BigDecimal amount, String promoCode, String provider) {
    PaymentLinks link = links.get(provider);
    if (link == null || link.currency().equals(Invoice.STARS)) {
      return Future.failedFuture(CatalogRefusal.PAYMENT_METHOD_NOT_ENABLED.because(
          "No rouble payment method " + provider));
    }
    if (amount.compareTo(config.minTopupRub()) < 0 || amount.stripTrailingZeros().scale() > 2) {
      return Future.failedFuture(CatalogRefusal.AMOUNT_BELOW_MINIMUM.because("A top-up is at least "
          + config.minTopupRub().setScale(2, RoundingMode.UNNECESSARY).toPlainString() + " RUB, in kopecks"));
    }
    if (amount.compareTo(config.maxTopupRub()) > 0) {
      return Future.failedFuture(CatalogRefusal.AMOUNT_ABOVE_MAXIMUM.because("A top-up is at most "
          + config.maxTopupRub().setScale(2, RoundingMode.HALF_UP).toPlainString() + " RUB"));
    }
    return create(userId, config.defaultTariff(), promoCode, amount.setScale(2, RoundingMode.UNNECESSARY), link, null);
  }

  /**
   * SPEC §17, one current invoice: the same purchase made again as a new invoice — in another payment
   * method, or with a promo code — while {@code replaced}, the user's open invoice, is cancelled in the
   * same transaction (so the new one may take the promo use the old one held, and the old one can no
   * longer be paid through Kopeck's pages). {@code tariffSlug} null: a custom top-up of
   * {@code customAmount}. Refused when {@code replaced} is no longer pending (paid meanwhile).
   */
  public Future<Invoice> replace(long userId, long replaced, String tariffSlug, BigDecimal customAmount,
                                 String promoCode, String provider) {
    if (tariffSlug != null) {
      return method(provider).compose(link -> create(userId, tariffSlug, promoCode, null, link, replaced));
    }
    return method(provider).compose(link -> create(userId, config.defaultTariff(), promoCode,
        customAmount.setScale(2, RoundingMode.UNNECESSARY), link, replaced));
  }

  /** A custom top-up of {@code stars} Telegram Stars (TOKENS_PER_STAR each), through the stars provider. */
  public Future<Invoice> forStars(long userId, int stars, String provider) {
    PaymentLinks link = links.get(provider);
    if (link == null || !link.currency().equals(Invoice.STARS)) {
      return Future.failedFuture(CatalogRefusal.PAYMENT_METHOD_NOT_ENABLED.because("Stars are not enabled"));
    }
    if (stars < config.minTopupStars()) {
      return Future.failedFuture(CatalogRefusal.AMOUNT_BELOW_MINIMUM.because(
          "A top-up is at least " + config.minTopupStars() + " Stars"));
    }
    if (stars > config.maxTopupStars()) {
      return Future.failedFuture(CatalogRefusal.AMOUNT_ABOVE_MAXIMUM.because(
          "A top-up is at most " + config.maxTopupStars() + " Stars"));
    }
    return create(userId, config.defaultTariff(), null, new BigDecimal(stars).setScale(2, RoundingMode.UNNECESSARY),
        link, null);
  }

  private Future<PaymentLinks> method(String provider) {
    PaymentLinks link = links.get(provider);
    return link != null ? Future.succeededFuture(link) : Future.failedFuture(
        CatalogRefusal.PAYMENT_METHOD_NOT_ENABLED.because("No enabled payment method " + provider));
  }

  private Future<Invoice> create(long userId, String tariffSlug, String promoCode, BigDecimal customAmount,
                                 PaymentLinks link, Long replaced) {
    return createInTransaction(userId, tariffSlug, promoCode, customAmount, link, replaced)
        .onSuccess(invoice -> log.info("Invoice {} {} {} {} {} {}", kv("inv_id", invoice.invId()), kv("user_id", userId),
            kv("tariff", tariffSlug), kv("amount", invoice.amount().toPlainString()), kv("currency", invoice.currency()),
            kv("provider", invoice.provider())));
  }

  private Future<Invoice> createInTransaction(long userId, String tariffSlug, String promoCode,
                                              BigDecimal customAmount, PaymentLinks link, Long replaced) {
    OffsetDateTime now = now();
    return pool.withTransaction(tx -> lockUser(tx, userId)
        .compose(v -> replaced == null ? Future.succeededFuture() : cancel(tx, userId, replaced, "replaced"))
        .compose(v -> saleableTariff(tx, tariffSlug))
        .compose(tariff -> promo(tx, promoCode, userId, tariff).compose(promo -> {
          Purchase purchase = purchase(tariff, promo, customAmount, link.currency());
          return samePending(tx, userId, tariff, promo, purchase, link, now).compose(existing -> existing != null
              ? Future.succeededFuture(existing)
              : makeRoom(tx, userId, now).compose(v -> reserve(tx, promo, userId))
                  .compose(v -> insert(tx, userId, tariff, promo, purchase, link, now)));
        })));
  }

  /** What is bought: the tariff as listed, or a custom amount of tokens without a period; and in which currency. */
  private record Purchase(Discount discount, String periodUnit, Integer periodValue, String currency) {
  }

  private Purchase purchase(Tariff tariff, PromoCode promo, BigDecimal customAmount, String currency) {
    boolean stars = currency.equals(Invoice.STARS);
    if (stars && customAmount == null && !tariff.soldForStars()) {
      throw CatalogRefusal.NOT_SOLD_FOR_STARS.because("Tariff '" + tariff.slug() + "' has no price in Stars");
    }
    BigDecimal listPrice = stars ? new BigDecimal(tariff.priceStars() == null ? 0 : tariff.priceStars()) : tariff.price();
    BigDecimal price = customAmount != null ? customAmount : listPrice;
    BigDecimal rate = stars ? config.tokensPerStar() : config.tokensPerRub();
    BigDecimal tokens = customAmount != null ? customAmount.multiply(rate).setScale(4, RoundingMode.HALF_UP)
        : tariff.tokens();
    Discount discount = promo == null ? Discount.none(price, tokens)
        : stars ? Discount.applyInStars(promo, price, tokens) : Discount.apply(promo, price, tokens);
    return customAmount != null ? new Purchase(discount, null, null, currency)
        : new Purchase(discount, tariff.periodUnit(), tariff.periodValue(), currency);
  }

  private Future<Void> lockUser(SqlConnection tx, long userId) {
    // Serializes one user's invoice creations, so two taps cannot both miss the pending invoice.
    return ledger.lockUser(tx, userId).map(balance -> {
      if (balance == null) {
        throw CatalogRefusal.USER_NOT_FOUND.because("No such user");
      }
      return null;
    });
  }

  private static Future<Tariff> saleableTariff(SqlConnection tx, String slug) {
    return tx.preparedQuery(TARIFF).execute(Tuple.of(slug)).map(rows -> {
      if (rows.size() == 0) {
        throw CatalogRefusal.TARIFF_NOT_FOUND.because("No tariff with slug '" + slug + "'");
      }
      Tariff tariff = Tariff.of(rows.iterator().next());
      if (!tariff.active() || tariff.trial()) {
        throw CatalogRefusal.TARIFF_NOT_FOR_SALE.because("Tariff '" + slug + "' is not for sale");
      }
      return tariff;
    });
  }

  private Future<PromoCode> promo(SqlConnection tx, String code, long userId, Tariff tariff) {
    if (code == null || code.isBlank()) {
      return Future.succeededFuture();
    }
    return promoCodes.check(tx, code, userId, tariff.id()).map(check -> {
      if (!check.usable()) {
        throw check.problem().refused(PromoCode.normalize(code));
      }
      if (check.promo().isTrial()) {
        throw PromoProblem.WRONG_TARIFF.refused(check.promo().code());
      }
      return check.promo();
    });
  }

  /**
   * SPEC §17: at most MAX_PENDING_INVOICES_PER_USER pending invoices a user: a new one cancels the oldest
   * (under the user's lock, so two at once cannot both keep theirs). Their payment pages refuse them
   * from then on; money that still arrives for one at a real provider is credited as before.
   */
  private Future<Void> makeRoom(SqlConnection tx, long userId, OffsetDateTime now) {
    return tx.preparedQuery(OLDEST_PENDING).execute(Tuple.of(userId, config.maxPendingPerUser() - 1, now))
        .compose(rows -> {
      Future<Void> chain = Future.succeededFuture();
      for (var row : rows) {
        long invId = row.getLong("inv_id");
        chain = chain.compose(v -> cancel(tx, userId, invId, "replaced: more than " + config.maxPendingPerUser()
            + " pending invoices").mapEmpty());
      }
      return chain;
    });
  }

  /** A new invoice carrying a code holds one of its uses until it is paid, expires or is cancelled (SPEC §17). */
  private Future<Void> reserve(SqlConnection tx, PromoCode promo, long userId) {
    if (promo == null) {
      return Future.succeededFuture();
    }
    return promoCodes.reserve(tx, promo, userId).map(problem -> {
      if (problem != null) {
        throw problem.refused(promo.code());
      }
      return null;
    });
  }

  private Future<Invoice> samePending(SqlConnection tx, long userId, Tariff tariff, PromoCode promo, Purchase purchase,
                                      PaymentLinks link, OffsetDateTime now) {
    OffsetDateTime windowStart = now.minus(Duration.ofMinutes(config.invoiceIdempotencyMinutes()));
    return tx.preparedQuery(SAME_PENDING)
        .execute(Tuple.of(userId, tariff.id(), promo == null ? null : promo.id(),
            purchase.discount().originalAmount().toPlainString(), purchase.periodUnit(), windowStart, now)
            .addString(link.name()).addString(purchase.currency()))
        .map(rows -> rows.size() == 0 ? null : Invoice.of(rows.iterator().next()));
  }

  private Future<Invoice> insert(SqlConnection tx, long userId, Tariff tariff, PromoCode promo, Purchase purchase,
                                 PaymentLinks link, OffsetDateTime now) {
    Discount d = purchase.discount();
    UUID key = UUID.randomUUID();
    // A Stars subscription is a monthly charge Telegram makes itself (STARS_SUBSCRIPTIONS): one month exactly.
    boolean starSubscription = purchase.currency().equals(Invoice.STARS) && config.starsSubscriptions()
        && "month".equals(purchase.periodUnit()) && Integer.valueOf(1).equals(purchase.periodValue());
    Tuple params = Tuple.of(userId, tariff.id(), promo == null ? null : promo.id(), d.amount().toPlainString(),
        d.originalAmount().toPlainString(), d.tokens().toPlainString(), d.bonusTokens().toPlainString(),
        purchase.periodUnit(), purchase.periodValue(), key.toString(), link.name(),
        now.plusHours(config.invoiceTtlHours()))
        .addOffsetDateTime(now).addString(purchase.currency()).addBoolean(starSubscription);
    String description = description(tariff.name(), purchase.periodUnit());
    return tx.preparedQuery(INSERT).execute(params).map(rows -> Invoice.of(rows.iterator().next()))
        .compose(invoice -> tx.preparedQuery(SET_URL)
            .execute(Tuple.of(invoice.id(), link.paymentUrl(invoice, description)))
            .map(rows -> Invoice.of(rows.iterator().next())))
        .compose(invoice -> AuditLog.record(tx, new Actor("user", Long.toString(userId)), "invoice.create", "invoice",
            Long.toString(invoice.invId()), userId, null, invoice.toJson()).map(invoice));
  }

  /** What the payer sees as the purchase: the tariff's name, or a top-up. */
  public static String description(String tariffName, String periodUnit) {
    return periodUnit == null ? "Kopeck: пополнение баланса" : "Kopeck: " + tariffName;
  }

  /** The smallest and largest Stars top-up. */
  public int[] starsRange() {
    return new int[] {config.minTopupStars(), config.maxTopupStars()};
  }

  public BigDecimal tokensPerStar() {
    return config.tokensPerStar();
  }

  public Future<Invoice> byInvId(long invId) {
    return pool.preparedQuery(BY_INV_ID).execute(Tuple.of(invId))
        .map(rows -> rows.size() == 0 ? null : Invoice.of(rows.iterator().next()));
  }

  /** The user withdraws a pending invoice; any other state is refused and changes nothing. */
  public Future<Invoice> cancel(long userId, long invId) {
    return pool.withTransaction(tx -> cancel(tx, userId, invId, "cancelled by the user"));
  }

  private Future<Invoice> cancel(SqlConnection tx, long userId, long invId, String why) {
    return tx.preparedQuery("UPDATE invoices SET status = 'cancelled' "
            + "WHERE inv_id = $1 AND user_id = $2 AND status = 'pending' RETURNING " + Invoice.COLUMNS)
        .execute(Tuple.of(invId, userId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(CatalogRefusal.INVOICE_NOT_PENDING.because(
                "Invoice " + invId + " is not a pending invoice of this user"));
          }
          Invoice invoice = Invoice.of(rows.iterator().next());
          return AuditLog.record(tx, new Actor("user", Long.toString(userId)), "invoice.cancel", "invoice",
              Long.toString(invId), userId, new JsonObject().put("status", "pending"),
              invoice.toJson().put("reason", why)).map(invoice);
        });
  }

  /**
   * Pending invoices past their expiry become expired, in one statement, audited as one row that
   * lists them. Safe on several instances: a row is updated once, whoever gets there first.
   */
  /** The invoice expiry job of the timer: pending invoices past their expiry become expired. */
  public TimerJob expiryJob() {
    return TimerJob.counting("invoice-expiry", "expired", () -> expireDue(new Actor("timer", null)).map(List::size));
  }

  public Future<List<Long>> expireDue(Actor actor) {
    return expire(actor, null, false);
  }

  /**
   * The same, for operators: with {@code ttlHours}, pending invoices created more than that many
   * hours ago count as due whatever their expires_at; with {@code dryRun}, only lists them.
   */
  public Future<List<Long>> expire(Actor actor, Integer ttlHours, boolean dryRun) {
    OffsetDateTime now = now();
    String due = ttlHours == null ? "expires_at <= $1" : "created_at <= $1";
    OffsetDateTime cutoff = ttlHours == null ? now : now.minusHours(ttlHours);
    String sql = dryRun
        ? "SELECT inv_id FROM invoices WHERE status = 'pending' AND " + due + " ORDER BY inv_id"
        : "UPDATE invoices SET status = 'expired' WHERE status = 'pending' AND " + due + " RETURNING inv_id";
    return pool.withTransaction(tx -> tx.preparedQuery(sql).execute(Tuple.of(cutoff)).compose(rows -> {
      List<Long> expired = new ArrayList<>();
      rows.forEach(row -> expired.add(row.getLong("inv_id")));
      if (expired.isEmpty() || dryRun) {
        return Future.succeededFuture(expired);
      }
      return AuditLog.record(tx, actor, "invoice.expire", "invoice", "bulk", null, null,
          new JsonObject().put("inv_ids", new JsonArray(expired)).put("count", expired.size())).map(expired);
    }));
  }

  private OffsetDateTime now() {
    return Times.utcNow(clock);
  }
}
