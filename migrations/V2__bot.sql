-- The bot (issue 5): a promo code kept for the user's next purchase, and the notification
-- sender's pacing shared by every instance.

-- /promo with a discount code keeps it here until an invoice uses it.
ALTER TABLE users ADD COLUMN saved_promo_code text;

-- When the next message may go out: chat_id 0 is the whole bot (TELEGRAM_RATE_GLOBAL), any other
-- row one chat (TELEGRAM_RATE_PER_CHAT). Senders take a slot under the row lock, so two instances
-- together stay within both rates. Physical time (the database clock), not the business clock.
CREATE TABLE send_pacing (
    chat_id      bigint PRIMARY KEY,
    next_send_at timestamptz NOT NULL
);
INSERT INTO send_pacing (chat_id, next_send_at) VALUES (0, '-infinity');
