package io.kopeck.telegram;

import static io.kopeck.telegram.Screen.button;

import com.pengrad.telegrambot.model.request.ReplyKeyboardMarkup;
import io.kopeck.botapi.Html;
import io.kopeck.i18n.Texts;
import io.kopeck.ledger.GrantReplay;
import io.kopeck.telegram.CallbackData.Action;
import io.kopeck.track.Track;
import io.kopeck.track.TrackCatalog;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** /start, /profile, /balance, /history and /help (SPEC §8). */
final class AccountScreens {
  static final int HISTORY_PAGE = 10;

  private static final String ACCOUNT = """
      SELECT token_balance, held, subscription_end, balance_seq, created_at FROM users WHERE id = #{user_id}""";
  // Reads the user's whole ledger: only the /balance screen shows these totals.
  private static final String TOTALS = """
      SELECT coalesce(sum(tokens_delta) FILTER (WHERE type IN ('topup', 'trial', 'grant')), 0) AS topped_up,
             coalesce(-sum(tokens_delta) FILTER (WHERE type IN ('usage', 'spend', 'subscription')), 0) AS spent
      FROM transactions WHERE user_id = #{user_id}""";
  // seq is gap-free per user, so a page is a seq range: newest first, no OFFSET scan.
  private static final String HISTORY = """
      SELECT type, tokens_delta, balance_after, created_at FROM transactions
      WHERE user_id = #{user_id} AND seq BETWEEN #{from_seq} AND #{to_seq} ORDER BY seq DESC""";

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> account;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> totals;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> history;
  private final ZoneId zone;
  private final String offerUrl;
  private final String privacyUrl;
  private final BigDecimal quickTopUp;
  private final String supportUsername;
  private final TrackCatalog tracks;

  private final Pool pool;

  AccountScreens(Pool pool, ZoneId zone, String supportUsername, String offerUrl, String privacyUrl,
                 BigDecimal quickTopUp, TrackCatalog tracks) {
    this.tracks = tracks;
    this.offerUrl = offerUrl;
    this.privacyUrl = privacyUrl;
    this.quickTopUp = quickTopUp;
    this.pool = pool;
    this.account = SqlTemplate.forQuery(pool, ACCOUNT);
    this.totals = SqlTemplate.forQuery(pool, TOTALS);
    this.history = SqlTemplate.forQuery(pool, HISTORY);
    this.zone = zone;
    this.supportUsername = supportUsername;
  }

  /** The greeting with the main menu, then the tracks as buttons (SPEC §18) when there are any. */
  Future<Void> start(Chat chat) {
    return account(chat.userId()).compose(row -> chat.send(new Screen(chat.t("start.greeting",
        Html.escape(chat.user().firstName()), chat.texts().tokens(row.getBigDecimal("token_balance")))
        + legal(chat.texts()), mainMenu(chat.texts())))).compose(v -> tracks.active()).compose(active -> {
          if (active.isEmpty()) {
            return Future.succeededFuture();
          }
          Screen.Builder menu = Screen.builder(chat.t("start.tracks"));
          active.forEach(track -> menu.row(button(track.title(chat.texts().language()),
              CallbackData.of(Action.TRACK, track.slug()))));
          return chat.send(menu.build());
        });
  }

  /** The offer and privacy links under /start, /help and invoice previews. */
  String legal(Texts texts) {
    return texts.get("legal.links", Html.escape(offerUrl), Html.escape(privacyUrl));
  }

  /** The reply keyboard under the input field; its labels are mapped back to commands by {@link Commands}. */
  static ReplyKeyboardMarkup mainMenu(Texts texts) {
    return new ReplyKeyboardMarkup(
        new String[] {texts.get("menu.balance"), texts.get("menu.tariffs")},
        new String[] {texts.get("menu.subscription"), texts.get("menu.history")},
        new String[] {texts.get("menu.costs"), texts.get("menu.help")}).resizeKeyboard(true);
  }

  Future<Void> profile(Chat chat) {
    BotUser user = chat.user();
    Texts texts = chat.texts();
    return account(user.id()).compose(row -> chat.send(chat.t("profile.text", Html.escape(user.displayName()),
        user.username() == null ? texts.get("profile.no_username") : "@" + Html.escape(user.username()),
        Long.toString(user.id()), texts.get("settings.lang"), texts.tokens(row.getBigDecimal("token_balance")),
        subscriptionLine(texts, row.getOffsetDateTime("subscription_end"), chat.now()),
        texts.date(row.getOffsetDateTime("created_at"), zone))));
  }

  Future<Void> balance(Chat chat) {
    Texts texts = chat.texts();
    Future<Row> totalsRow = totals.execute(Map.of("user_id", chat.userId())).map(rows -> rows.iterator().next());
    Future<GrantReplay.Result> grantsLeft = pool.withConnection(conn -> GrantReplay.load(conn, chat.userId()));
    return Future.all(account(chat.userId()), totalsRow, grantsLeft).compose(all -> {
      Row row = all.resultAt(0);
      Row sums = all.resultAt(1);
      return chat.show(Screen.builder(chat.t("balance.text", texts.tokens(row.getBigDecimal("token_balance")),
              subscriptionLine(texts, row.getOffsetDateTime("subscription_end"), chat.now()),
              texts.tokens(sums.getBigDecimal("topped_up")), texts.tokens(sums.getBigDecimal("spent")))
              + held(texts, row) + grants(texts, all.resultAt(2)))
          .row(button(texts.get("btn.quick_topup", texts.rub(quickTopUp)), CallbackData.of(Action.QUICK_TOPUP)))
          .row(button(texts.get("btn.topup"), CallbackData.of(Action.TOP_UP)),
              button(texts.get("btn.custom"), CallbackData.of(Action.CUSTOM_AMOUNT)))
          .row(button(texts.get("btn.promo"), CallbackData.of(Action.PROMO)),
              button(texts.get("btn.history"), CallbackData.of(Action.HISTORY, 1)))
          .row(button(texts.get("btn.refresh"), CallbackData.of(Action.BALANCE)))
          .build());
    });
  }

  /** "Of which N expire on D", a line per end date, the nearest first (SPEC §21); else nothing. */
  private String grants(Texts texts, GrantReplay.Result grants) {
    Map<LocalDate, BigDecimal> byDay = new TreeMap<>();
    for (GrantReplay.Grant grant : grants.running()) {
      BigDecimal left = grants.remaining().getOrDefault(grant.grantId(), BigDecimal.ZERO);
      if (left.signum() > 0) {
        byDay.merge(grant.expiresAt().atZoneSameInstant(zone).toLocalDate(), left, BigDecimal::add);
      }
    }
    StringBuilder lines = new StringBuilder();
    byDay.forEach((day, left) -> lines.append(texts.get("balance.grant", texts.tokens(left),
        texts.date(day.atStartOfDay(zone).toOffsetDateTime(), zone))));
    return lines.toString();
  }

  /** Page {@code page} (1 = newest) of the ledger; false when the page does not exist (a stale button). */
  Future<Boolean> history(Chat chat, int page) {
    Texts texts = chat.texts();
    return account(chat.userId()).compose(row -> {
      long total = row.getLong("balance_seq");
      long pages = Math.max(1, (total + HISTORY_PAGE - 1) / HISTORY_PAGE);
      if (page > pages) {
        return Future.succeededFuture(false);
      }
      if (total == 0) {
        return chat.show(Screen.text(texts.get("history.empty"))).map(true);
      }
      long newest = total - (long) (page - 1) * HISTORY_PAGE;
      long oldest = Math.max(1, newest - HISTORY_PAGE + 1);
      return history.execute(Map.of("user_id", chat.userId(), "from_seq", oldest, "to_seq", newest))
          .compose(rows -> {
            StringBuilder text = new StringBuilder(texts.get("history.title", Integer.toString(page), Long.toString(pages)));
            for (Row tx : rows) {
              text.append('\n').append(historyRow(texts, tx));
            }
            Screen.Builder screen = Screen.builder(text.toString());
            if (pages > 1) {
              screen.row(page > 1 ? button(texts.get("btn.prev"), CallbackData.of(Action.HISTORY, page - 1)) : null,
                  page < pages ? button(texts.get("btn.next"), CallbackData.of(Action.HISTORY, page + 1)) : null);
            }
            return chat.show(screen.build()).map(true);
          });
    });
  }

  private String historyRow(Texts texts, Row tx) {
    return texts.get("history.row", texts.dateTime(tx.getOffsetDateTime("created_at"), zone),
        texts.get("tx." + tx.getString("type").toLowerCase(Locale.ROOT)), texts.signed(tx.getBigDecimal("tokens_delta")),
        texts.number(tx.getBigDecimal("balance_after")));
  }

  /** "Held for runs in progress: …, available: …" when holds reserve tokens (SPEC §19); else nothing. */
  private static String held(Texts texts, Row row) {
    BigDecimal held = row.getBigDecimal("held");
    return held.signum() == 0 ? "" : texts.get("balance.held", texts.tokens(held),
        texts.tokens(row.getBigDecimal("token_balance").subtract(held)));
  }

  /** The commands, the tracks' among them (SPEC §18), support and the legal links. */
  Future<Void> help(Chat chat) {
    return tracks.active().compose(active -> {
      StringBuilder list = new StringBuilder();
      for (Track track : active) {
        list.append('\n').append('/').append(track.command()).append(" — ")
            .append(Html.escape(track.title(chat.texts().language())));
      }
      String tracksPart = active.isEmpty() ? "" : chat.t("help.tracks") + list;
      return chat.send(chat.t("help.text", "@" + Html.escape(supportUsername)) + tracksPart + legal(chat.texts()));
    });
  }

  /** "active until …", "ended …" or "none", for the balance and profile screens. */
  String subscriptionLine(Texts texts, OffsetDateTime end, OffsetDateTime now) {
    if (end == null) {
      return texts.get("sub.inactive");
    }
    String date = texts.dateTime(end, zone);
    return end.isAfter(now) ? texts.get("sub.active_until", date) : texts.get("sub.expired", date);
  }

  private Future<Row> account(long userId) {
    return account.execute(Map.of("user_id", userId)).map(rows -> rows.iterator().next());
  }
}
