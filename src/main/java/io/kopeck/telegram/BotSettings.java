package io.kopeck.telegram;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.List;

/**
 * What the bot needs to know: how to reach Telegram, where it is published, who the admins are,
 * and the figures its texts show; {@code menuCommands} (BOT_COMMANDS) the menu's commands and their
 * order, empty for the bot's own choice.
 */
public record BotSettings(String telegramApiUrl, String telegramBotToken, String publicBaseUrl,
                          String telegramWebhookSecret, List<Long> adminChatIds, String supportUsername,
                          ZoneId displayTimezone, BigDecimal minTopupRub, BigDecimal maxTopupRub,
                          String legalOfferUrl, String legalPrivacyUrl, String telegramMode, boolean devConsole,
                          List<String> menuCommands) {

  public boolean polling() {
    return telegramMode.equals("polling");
  }
}
