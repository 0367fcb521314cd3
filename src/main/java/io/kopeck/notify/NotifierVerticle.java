package io.kopeck.notify;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.pengrad.telegrambot.model.request.InlineKeyboardButton;
import com.pengrad.telegrambot.model.request.InlineKeyboardMarkup;
import com.pengrad.telegrambot.model.request.ParseMode;
import com.pengrad.telegrambot.request.EditMessageText;
import com.pengrad.telegrambot.request.SendDocument;
import com.pengrad.telegrambot.request.SendMessage;
import com.pengrad.telegrambot.response.BaseResponse;
import io.kopeck.botapi.BotApi;
import io.kopeck.common.Times;
import io.kopeck.i18n.Texts;
import io.kopeck.notify.OutboxClaims.Claimed;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the notifications outbox into Telegram (SPEC §8). Claims come from {@link OutboxClaims}
 * (both rates, shared by all instances); each message is rendered in its reader's language and
 * sent. Outcomes: sent; 429 → the whole bot and the chat pause for retry_after and the message is
 * retried without counting an attempt; 403 → the user is marked bot_blocked and every pending
 * message to the chat is dropped; 400 → the message can never be sent, failed; anything else →
 * retried with exponential backoff up to {@link #MAX_ATTEMPTS}, then failed with a log line.
 */
public final class NotifierVerticle extends VerticleBase {
  static final int MAX_ATTEMPTS = 5;
  private static final Logger log = LoggerFactory.getLogger(NotifierVerticle.class);
  private static final long TICK_MS = 100;
  private static final long PENDING_EVERY_MS = 10_000;
  private static final String PENDING = "SELECT count(*) FROM notifications WHERE status = 'pending' AND next_attempt_at <= $1";
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

  // A row is named by id and chat: on Citus the chat routes the statement to the row's one shard (an
  // update by id alone runs on every shard, one such update at a time, and commits in two phases).
  private static final String SENT = """
      UPDATE notifications SET status = 'sent', sent_at = $3, last_error = NULL WHERE id = $1 AND chat_id = $2""";
  private static final String RETRY_AT = """
      UPDATE notifications SET next_attempt_at = $3, last_error = $4 WHERE id = $1 AND chat_id = $2""";
  private static final String RETRY_AFTER_FLOOD = """
      UPDATE notifications SET next_attempt_at = $3, attempts = greatest(attempts - 1, 0), last_error = $4
      WHERE id = $1 AND chat_id = $2""";
  // The bot-wide row gets retry_after plus the claims' catch-up allowance ($3 ms), so no claim happens
  // before retry_after.
  private static final String PAUSE = """
      UPDATE send_pacing SET next_send_at = greatest(next_send_at, clock_timestamp() + $2 * interval '1 second'
        + CASE WHEN chat_id = 0 THEN $3 * interval '1 millisecond' ELSE interval '0' END)
      WHERE chat_id = 0 OR chat_id = $1""";
  private static final String FAILED = """
      UPDATE notifications SET status = 'failed', last_error = $3 WHERE id = $1 AND chat_id = $2""";
  private static final String DROP_CHAT = """
      UPDATE notifications SET status = 'dropped', last_error = $2 WHERE chat_id = $1 AND status = 'pending'""";

  private final Pool pool;
  private final Clock clock;
  private final SenderSettings config;
  private final NoticeTexts texts;
  private OutboxClaims claims;
  private final BotApi api;
  private long timer = -1;
  private long pendingTimer = -1;
  private final AtomicLong pending = new AtomicLong();
  private boolean busy;
  private Future<?> inFlight = Future.succeededFuture();

  private final MeterRegistry registry;

  /** Told when a chat blocked the bot (Telegram's 403): the user's owner marks them, the outbox stops. */
  private final LongFunction<Future<Void>> chatBlocked;

  public NotifierVerticle(Pool pool, Clock clock, SenderSettings config, BotApi api,
                          LongFunction<Future<Void>> chatBlocked, MeterRegistry registry) {
    this.api = api;
    this.chatBlocked = chatBlocked;
    this.registry = registry;
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.texts = new NoticeTexts(config.displayTimezone());
  }

  @Override
  public Future<?> start() {
    claims = new OutboxClaims(pool, clock, config.telegramRateGlobal(), config.telegramRatePerChat());
    timer = vertx.setPeriodic(TICK_MS, id -> tick());
    Gauge.builder("kopeck_notifications_pending", pending, AtomicLong::get)
        .description("Messages due in the outbox and not yet sent (all instances)").register(registry);
    pendingTimer = vertx.setPeriodic(PENDING_EVERY_MS, id -> pool.preparedQuery(PENDING)
        .execute(Tuple.of(Times.utcNow(clock))).onSuccess(rows -> pending.set(rows.iterator().next().getLong(0))));
    return Future.succeededFuture();
  }

  /** Stops claiming and lets the sends in flight record their outcome. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(pendingTimer);
    return inFlight.recover(e -> Future.succeededFuture());
  }

  private void tick() {
    if (busy) {
      return;
    }
    busy = true;
    inFlight = claims.claim()
        .compose(batch -> Future.join(batch.stream().map(this::deliver).toList()))
        .onFailure(e -> log.warn("Notification sender: {}", e.getMessage()))
        .onComplete(v -> busy = false);
  }

  private Future<Void> deliver(Claimed message) {
    if (message.blocked()) {
      count("dropped");
      return drop(message.chatId(), "the user blocked the bot");
    }
    String html;
    try {
      html = message.text() != null ? message.text()
          : texts.render(message.template(), message.args(), Texts.forLanguage(message.language()));
    } catch (RuntimeException e) {
      log.error("Notification {} cannot be rendered: {}", kv("notification_id", message.id()), e.toString());
      count("failed");
      return updateRow(FAILED, message, "render: " + e.getMessage());
    }
    return send(message, html).transform(result -> result.succeeded() ? outcome(message, result.result())
        : retryLater(message, "network: " + result.cause().getMessage()));
  }

  /** A message (with its buttons, if any), a document, or an edit of an earlier message (SPEC §18). */
  private Future<? extends BaseResponse> send(Claimed message, String html) {
    JsonObject args = message.args();
    return switch (args.getString("delivery", "message")) {
      case "document" -> api.call(new SendDocument(message.chatId(), html.getBytes(StandardCharsets.UTF_8))
          .fileName(args.getString("filename")).caption(args.getString("caption", "")).parseMode(ParseMode.HTML));
      case "edit" -> api.call(new EditMessageText(message.chatId(), args.getLong("message_id").intValue(), html)
          .parseMode(ParseMode.HTML));
      default -> {
        SendMessage send = new SendMessage(message.chatId(), html).parseMode(ParseMode.HTML);
        if (args.getJsonArray("buttons") != null) {
          send.replyMarkup(inlineKeyboard(args.getJsonArray("buttons")));
        }
        yield api.call(send);
      }
    };
  }

  /** Rows of {text, callback_data} as Telegram's inline keyboard. */
  private static InlineKeyboardMarkup inlineKeyboard(JsonArray rows) {
    InlineKeyboardButton[][] keyboard = new InlineKeyboardButton[rows.size()][];
    for (int r = 0; r < rows.size(); r++) {
      JsonArray row = rows.getJsonArray(r);
      keyboard[r] = new InlineKeyboardButton[row.size()];
      for (int b = 0; b < row.size(); b++) {
        JsonObject button = row.getJsonObject(b);
        keyboard[r][b] = new InlineKeyboardButton(button.getString("text")).callbackData(button.getString("callback_data"));
      }
    }
    return new InlineKeyboardMarkup(keyboard);
  }

  private Future<Void> outcome(Claimed message, BaseResponse answer) {
    // An edit that changes nothing (a replayed progress event) has nothing left to do.
    if (answer.isOk() || answer.errorCode() == 400 && answer.description() != null
        && answer.description().contains("message is not modified")) {
      count("sent");
      return updateRow(SENT, message, Times.utcNow(clock));
    }
    String error = answer.errorCode() + " " + answer.description();
    return switch (answer.errorCode()) {
      case 429 -> flood(message, answer, error);
      case 403 -> {
        count("blocked");
        log.info("Chat {} blocked the bot; its pending messages are dropped", kv("chat_id", message.chatId()));
        yield chatBlocked.apply(message.chatId()).compose(v -> drop(message.chatId(), error));
      }
      case 400 -> {
        count("failed");
        log.error("Notification {} refused by Telegram: {}", kv("notification_id", message.id()), error);
        yield updateRow(FAILED, message, error);
      }
      default -> retryLater(message, error);
    };
  }

  private Future<Void> flood(Claimed message, BaseResponse answer, String error) {
    Integer retryAfter = answer.parameters() == null ? null : answer.parameters().retryAfter();
    int seconds = retryAfter == null ? 1 : Math.max(1, retryAfter);
    count("flood_429");
    log.warn("Telegram flood control: pausing {} s", kv("retry_after", seconds));
    return updateRow(RETRY_AFTER_FLOOD, message, Times.utcNow(clock), error)
        .compose(v -> update(PAUSE, Tuple.of(message.chatId(), seconds, OutboxClaims.BURST.toMillis())));
  }

  private Future<Void> retryLater(Claimed message, String error) {
    if (message.attempts() >= MAX_ATTEMPTS) {
      count("failed");
      log.error("Notification {} to chat {} given up after {} attempts: {}", kv("notification_id", message.id()),
          kv("chat_id", message.chatId()), kv("attempts", message.attempts()), error);
      return updateRow(FAILED, message, error);
    }
    Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(20, message.attempts() - 1));
    Duration wait = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
    count("retried");
    log.warn("Notification {} failed (attempt {}), retrying in {} s: {}", kv("notification_id", message.id()),
        kv("attempts", message.attempts()), wait.toSeconds(), error);
    return updateRow(RETRY_AT, message, Times.utcNow(clock).plus(wait), error);
  }

  /** Send outcomes: sent, retried, flood_429, blocked (403), dropped (user had blocked the bot), failed. */
  private void count(String outcome) {
    registry.counter("kopeck_notifications", "outcome", outcome).increment();
  }

  /** One of the statements above for the message's own row: $1 id, $2 chat, then {@code values}. */
  private Future<Void> updateRow(String sql, Claimed message, Object... values) {
    Tuple params = Tuple.of(message.id(), message.chatId());
    for (Object value : values) {
      params.addValue(value);
    }
    return update(sql, params);
  }

  private Future<Void> drop(long chatId, String reason) {
    return update(DROP_CHAT, Tuple.of(chatId, reason));
  }

  private Future<Void> update(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).mapEmpty();
  }
}
