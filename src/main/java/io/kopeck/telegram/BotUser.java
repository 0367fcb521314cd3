package io.kopeck.telegram;

import io.kopeck.i18n.Texts;
import io.kopeck.user.Users;

/** The person behind an update, as stored: their names and the language the bot speaks to them. */
record BotUser(long id, String firstName, String lastName, String username, String languageCode,
                      String languageOverride) {

  static BotUser of(Users.Profile profile) {
    return new BotUser(profile.id(), profile.firstName(), profile.lastName(), profile.username(),
        profile.languageCode(), profile.languageOverride());
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
