package io.kopeck.notify;

import java.time.ZoneId;

/** The notification sender: where the Bot API is, the bot's token, both rates, the zone of dates in texts. */
public record SenderSettings(String telegramApiUrl, String telegramBotToken, int telegramRateGlobal,
                             int telegramRatePerChat, ZoneId displayTimezone) {
}
