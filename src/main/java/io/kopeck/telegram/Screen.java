package io.kopeck.telegram;

import com.pengrad.telegrambot.model.request.InlineKeyboardButton;
import com.pengrad.telegrambot.model.request.InlineKeyboardMarkup;
import com.pengrad.telegrambot.model.request.Keyboard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A message the bot shows: HTML text and its buttons (inline rows, or the main-menu reply keyboard). */
record Screen(String html, Keyboard keyboard) {

  static Screen text(String html) {
    return new Screen(html, null);
  }

  static Builder builder(String html) {
    return new Builder(html);
  }

  InlineKeyboardMarkup inlineKeyboard() {
    return keyboard instanceof InlineKeyboardMarkup inline ? inline : null;
  }

  /** Collects rows of inline buttons. */
  static final class Builder {
    private final String html;
    private final List<InlineKeyboardButton[]> rows = new ArrayList<>();

    private Builder(String html) {
      this.html = html;
    }

    /** A row of buttons; null entries (a button that does not apply) are left out. */
    Builder row(InlineKeyboardButton... buttons) {
      InlineKeyboardButton[] present = Arrays.stream(buttons).filter(Objects::nonNull)
          .toArray(InlineKeyboardButton[]::new);
      if (present.length > 0) {
        rows.add(present);
      }
      return this;
    }

    Screen build() {
      return new Screen(html, rows.isEmpty() ? null : new InlineKeyboardMarkup(rows.toArray(InlineKeyboardButton[][]::new)));
    }
  }

  static InlineKeyboardButton button(String label, CallbackData data) {
    return new InlineKeyboardButton(label).callbackData(data.encode());
  }

  static InlineKeyboardButton link(String label, String url) {
    return new InlineKeyboardButton(label).url(url);
  }
}
