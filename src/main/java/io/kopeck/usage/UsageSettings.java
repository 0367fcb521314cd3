package io.kopeck.usage;

import java.time.ZoneId;

/** The Runner API's rules: the one currency, the day boundary of daily limits, body and stream limits. */
public record UsageSettings(String currency, ZoneId displayTimezone, int maxBodyBytes, boolean requireSubscription,
                            int streamIdleTimeoutSeconds) {
}
