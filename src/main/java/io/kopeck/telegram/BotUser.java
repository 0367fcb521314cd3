package io.kopeck.telegram;

import io.kopeck.i18n.Texts;
import io.vertx.sqlclient.Row;

/** The person behind an update, as stored: their names and the language the bot speaks to them. */
record BotUser(long id, String firstName, String lastName, String username, String languageCode,
                      String languageOverride) {

  static BotUser of(Row row) {
    return new BotUser(row.getLong("id"), row.getString("first_name"), row.getString("last_name"),
        row.getString("username"), row.getString("language_code"), row.getString("language_override"));
  }

  /** The user's choice in /settings, else their Telegram language. */
  public Texts texts() {
    return Texts.forLanguage(languageOverride != null ? languageOverride : languageCode);
  }

  /** First and last name as Telegram gave them (not escaped). */
  public String displayName() {
    String name = firstName == null ? "" : firstName;
    return lastName == null || lastName.isBlank() ? name : name + " " + lastName;
  }
}
