package io.kopeck.telegram;

import static io.kopeck.telegram.Screen.button;

import com.pengrad.telegrambot.model.Document;
import io.kopeck.botapi.BotApi;
import io.kopeck.botapi.Html;
import io.kopeck.common.Refused;
import io.kopeck.i18n.Texts;
import io.kopeck.telegram.BotSessions.Conversation;
import io.kopeck.telegram.CallbackData.Action;
import io.kopeck.track.RunnerClient.TaskInput;
import io.kopeck.track.Track;
import io.kopeck.track.Track.InputKind;
import io.kopeck.track.TrackCatalog;
import io.kopeck.track.TrackRefusal;
import io.kopeck.track.TrackRuns;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Tracks in the bot (SPEC §18): a track's command (or its button) cancels the user's running run and
 * asks for the input its track takes; the input is checked (a file fetched from Telegram, its size and
 * extension checked) and the run started, with a status message the run's progress then edits; the
 * refusals in SPEC order, each with its message; /cancel; the rating buttons under a finished run; and
 * the admins' /healthcheck.
 */
final class TrackScreens {
  private final TrackCatalog catalog;
  private final TrackRuns runs;
  private final BotSessions sessions;
  private final BotApi api;

  TrackScreens(TrackCatalog catalog, TrackRuns runs, BotSessions sessions, BotApi api) {
    this.catalog = catalog;
    this.runs = runs;
    this.sessions = sessions;
    this.api = api;
  }

  /** The active track a command names, or null. */
  Future<Track> byCommand(String command) {
    return catalog.byCommand(command);
  }

  /** The command or button: the running run cancelled, the input asked for (a track without input starts now). */
  Future<Void> open(Chat chat, Track track) {
    return runs.cancelRunning(chat.userId()).compose(cancelled -> {
      if (track.input().kind() == InputKind.NONE) {
        return launch(chat, track, TaskInput.text(null));
      }
      return sessions.start(chat.userId(), Conversation.TRACK_INPUT, new JsonObject().put("track", track.slug()),
          chat.now()).compose(v -> chat.send(prompt(chat.texts(), track)));
    });
  }

  /** A button on the start menu. */
  Future<Boolean> openBySlug(Chat chat, String slug) {
    return catalog.active().compose(tracks -> {
      Track track = tracks.stream().filter(t -> t.slug().equals(slug)).findFirst().orElse(null);
      return track == null ? Future.succeededFuture(false) : open(chat, track).map(true);
    });
  }

  /** A text answering the input question of the track in the session. */
  Future<Void> text(Chat chat, JsonObject session, String text) {
    return trackOf(chat, session).compose(track -> {
      if (track == null) {
        return Future.succeededFuture();
      }
      String problem = problemWith(chat.texts(), track.input(), text);
      if (problem != null) {
        return chat.send(problem);
      }
      String value = track.input().kind() == InputKind.URLS ? String.join("\n", lines(text)) : text.strip();
      return sessions.clear(chat.userId()).compose(v -> launch(chat, track, TaskInput.text(value)));
    });
  }

  /** A document: the input of a file track, fetched from Telegram and checked. */
  Future<Void> document(Chat chat, JsonObject session, Document document) {
    return trackOf(chat, session).compose(track -> {
      if (track == null) {
        return Future.succeededFuture();
      }
      Track.Input input = track.input();
      Texts t = chat.texts();
      if (input.kind() != InputKind.FILE) {
        return chat.send(prompt(t, track));
      }
      String name = document.fileName() == null ? "file" : document.fileName();
      String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
      if (!input.extensions().isEmpty() && !input.extensions().contains(extension)) {
        return chat.send(t.get("run.bad.file.type", String.join(", ", input.extensions())));
      }
      if (document.fileSize() != null && document.fileSize() > input.maxBytes()) {
        return chat.send(t.get("run.bad.file.size", bytes(input.maxBytes())));
      }
      return api.download(document.fileId(), input.maxBytes()).transform(done -> {
        if (done.failed()) {
          return chat.send(t.get(done.cause() instanceof BotApi.FileTooLarge ? "run.bad.file.size"
              : "run.bad.file.download", bytes(input.maxBytes())));
        }
        String type = document.mimeType() == null ? "application/octet-stream" : document.mimeType();
        return sessions.clear(chat.userId())
            .compose(v -> launch(chat, track, TaskInput.file(name, type, Buffer.buffer(done.result()))));
      });
    });
  }

  /** /cancel: the conversation and the running run, if any. */
  Future<Void> cancel(Chat chat, boolean hadSession) {
    return runs.cancelRunning(chat.userId()).compose(cancelled -> chat.send(chat.t(cancelled ? "run.cancel.done"
        : hadSession ? "cancelled" : "nothing_to_cancel")));
  }

  /** 🤮 😐 🤩 under a finished run; false when the run is not the presser's (a stale or forged button). */
  Future<Boolean> rate(Chat chat, String arg) {
    String[] parts = arg.split("\\.");
    return runs.rate(chat.userId(), Long.parseLong(parts[0]), Integer.parseInt(parts[1]));
  }

  /** The admins' /healthcheck: the Runner asked now. */
  Future<Void> healthcheck(Chat chat) {
    if (!runs.runner().configured()) {
      return chat.send(chat.t("admin.healthcheck.none"));
    }
    long started = System.nanoTime();
    return runs.runner().checkHealth().compose(healthy -> chat.send(chat.t(healthy ? "admin.healthcheck.ok"
        : "admin.healthcheck.bad", (System.nanoTime() - started) / 1_000_000 + " ms")));
  }

  /** The checks, the hold, the status message, the task; a refusal told in its own words. */
  private Future<Void> launch(Chat chat, Track track, TaskInput input) {
    Texts t = chat.texts();
    String title = Html.escape(track.title(t.language()));
    Integer[] statusMessage = new Integer[1];
    return runs.start(chat.userId(), track, input,
            () -> chat.sendForId(Screen.text(t.get("run.starting", title))).onSuccess(id -> statusMessage[0] = id))
        .compose(started -> statusMessage[0] == null ? Future.succeededFuture()
            : chat.edit(statusMessage[0], Screen.text(started.queuePosition() > 0
                ? t.get("run.queued", title, Integer.toString(started.queuePosition())) : t.get("run.started", title))))
        .recover(e -> refused(chat, track, e, statusMessage[0]));
  }

  private Future<Void> refused(Chat chat, Track track, Throwable failure, Integer statusMessage) {
    if (!(failure instanceof Refused refused) || !(refused.refusal() instanceof TrackRefusal refusal)) {
      return Future.failedFuture(failure);
    }
    Texts t = chat.texts();
    Screen screen = switch (refusal) {
      case RUNNER_REFUSED -> Screen.text(t.get("run.refused.runner", Html.escape(failure.getMessage())));
      case RUNNER_UNAVAILABLE -> Screen.text(t.get("run.refused.maintenance"));
      case SUBSCRIPTION_REQUIRED -> Screen.text(t.get("run.refused.subscription"));
      case DAILY_LIMIT_REACHED -> Screen.text(t.get("run.refused.limit"));
      case USER_BLOCKED -> Screen.text(t.get("run.refused.blocked"));
      case INSUFFICIENT_BALANCE -> Screen.builder(t.get("run.refused.balance", Html.escape(track.title(t.language())),
              t.tokens(track.hold())))
          .row(button(t.get("btn.topup"), CallbackData.of(Action.TOP_UP))).build();
      default -> Screen.text(t.get("run.refused.inactive"));
    };
    return statusMessage != null ? chat.edit(statusMessage, screen) : chat.send(screen);
  }

  private Future<Track> trackOf(Chat chat, JsonObject session) {
    return catalog.active().compose(tracks -> {
      Track track = tracks.stream().filter(t -> t.slug().equals(session.getString("track"))).findFirst().orElse(null);
      return track != null ? Future.succeededFuture(track)
          : sessions.clear(chat.userId()).compose(v -> chat.send(chat.t("run.refused.inactive"))).map((Track) null);
    });
  }

  private static String prompt(Texts t, Track track) {
    Track.Input input = track.input();
    String title = Html.escape(track.title(t.language()));
    return switch (input.kind()) {
      case TEXT -> t.get("run.ask.text", title, Integer.toString(input.maxChars()));
      case URL -> t.get("run.ask.url", title);
      case URLS -> t.get("run.ask.urls", title, Integer.toString(input.maxItems()));
      case FILE -> t.get("run.ask.file", title, input.extensions().isEmpty() ? "*"
          : String.join(", ", input.extensions()), bytes(input.maxBytes()));
      case NONE -> title;
    };
  }

  /** What is wrong with a typed input, or null. */
  private static String problemWith(Texts t, Track.Input input, String text) {
    return switch (input.kind()) {
      case TEXT -> text.isBlank() || text.length() > input.maxChars()
          ? t.get("run.bad.text", Integer.toString(input.maxChars())) : null;
      case URL -> isUrl(text.strip()) ? null : t.get("run.bad.url");
      case URLS -> {
        List<String> urls = lines(text);
        yield urls.isEmpty() || urls.size() > input.maxItems() || !urls.stream().allMatch(TrackScreens::isUrl)
            ? t.get("run.bad.urls", Integer.toString(input.maxItems())) : null;
      }
      case FILE -> t.get("run.bad.file.missing");
      case NONE -> null;
    };
  }

  private static List<String> lines(String text) {
    return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }

  /** An absolute http(s) URL with a host, at most 2,000 characters. */
  static boolean isUrl(String text) {
    if (text.length() > 2000 || text.contains(" ")) {
      return false;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static String bytes(long bytes) {
    BigDecimal megabytes = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1024 * 1024), 1,
        java.math.RoundingMode.HALF_UP).stripTrailingZeros();
    return bytes >= 1024 * 1024 ? megabytes.toPlainString() + " MB" : bytes / 1024 + " KB";
  }
}
