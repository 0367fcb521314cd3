package io.kopeck.telegram;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.pengrad.telegrambot.model.PreCheckoutQuery;
import com.pengrad.telegrambot.request.AnswerPreCheckoutQuery;
import com.pengrad.telegrambot.utility.BotUtils;
import io.kopeck.botapi.BotApi;
import io.kopeck.i18n.Texts;
import io.kopeck.payment.StarsCheckout;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Telegram's {@code pre_checkout_query} (SPEC §12), which must be answered within 10 s: on
 * its own event loop, with its own two database connections and its own Bot API client, so that
 * thousands of updates queued for the {@link TelegramVerticle} (and their replies queued in that
 * client) never stand in front of it. The webhook hands a query here without the update_id dedup
 * that other updates take on the main pool: answering a query twice is harmless (Telegram keeps
 * the first answer).
 */
public final class CheckoutVerticle extends VerticleBase {
  public static final String ADDRESS = "telegram.pre_checkout";
  private static final Logger log = LoggerFactory.getLogger(CheckoutVerticle.class);

  private final StarsCheckout checkout;
  private final BotSettings config;
  private final boolean starsEnabled;
  private final BotApi api;

  public CheckoutVerticle(StarsCheckout checkout, BotSettings config, boolean starsEnabled, BotApi api) {
    this.api = api;
    this.checkout = checkout;
    this.config = config;
    this.starsEnabled = starsEnabled;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<String>localConsumer(ADDRESS, message -> {
      PreCheckoutQuery query = BotUtils.parseUpdate(message.body()).preCheckoutQuery();
      answer(query).onFailure(e -> log.error("Pre-checkout query {} not answered: {}", kv("query_id", query.id()),
          e.getMessage()));
    }).completion();
  }

  private Future<Void> answer(PreCheckoutQuery query) {
    Texts texts = Texts.forLanguage(query.from() == null ? null : query.from().languageCode());
    if (!starsEnabled || query.from() == null || query.totalAmount() == null) {
      return send(query, texts.get("precheckout.no_invoice"), "refused");
    }
    return checkout.check(query.from().id(), query.invoicePayload(), query.totalAmount(), query.currency())
        .recover(e -> {
          log.error("Pre-checkout check failed {}", kv("query_id", query.id()), e);
          return Future.succeededFuture(StarsCheckout.Problem.NO_INVOICE);
        })
        .compose(problem -> problem == null ? send(query, null, "ok")
            : send(query, texts.get("precheckout." + problem.name().toLowerCase(Locale.ROOT)), problem.name()));
  }

  private Future<Void> send(PreCheckoutQuery query, String refusal, String outcome) {
    AnswerPreCheckoutQuery answer = refusal == null ? new AnswerPreCheckoutQuery(query.id())
        : new AnswerPreCheckoutQuery(query.id(), refusal);
    log.info("Pre-checkout {} {} {}", kv("query_id", query.id()), kv("user_id", query.from() == null ? null
        : query.from().id()), kv("outcome", outcome));
    return api.reply(answer).compose(response -> response.isOk() ? Future.succeededFuture()
        : Future.failedFuture(response.errorCode() + " " + response.description()));
  }
}
