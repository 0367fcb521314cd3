-- Your bot, your words (SPEC §20).

-- Tariff names and descriptions per language ({"en": "Basic", "uk": "Базовий"}); name and description
-- stay the default (Russian) text a language without its own falls back to, after English.
ALTER TABLE tariffs
    ADD COLUMN names        jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN descriptions jsonb NOT NULL DEFAULT '{}'::jsonb;
-- The default catalog's tariffs, where an operator left them as they were, learn their English names.
UPDATE tariffs SET names = '{"en": "Basic"}', descriptions = '{"en": "200 tokens and a month of subscription"}'
 WHERE slug = 'basic' AND name = 'Базовый' AND names = '{}'::jsonb;
UPDATE tariffs SET names = '{"en": "Standard"}', descriptions = '{"en": "600 tokens and a month of subscription"}'
 WHERE slug = 'standard' AND name = 'Стандарт' AND names = '{}'::jsonb;
UPDATE tariffs SET names = '{"en": "Pro"}', descriptions = '{"en": "2000 tokens and a month of subscription"}'
 WHERE slug = 'pro' AND name = 'Про' AND names = '{}'::jsonb;
UPDATE tariffs SET names = '{"en": "Trial"}', descriptions = '{"en": "30 tokens and 8 days of subscription, once, with a promo code"}'
 WHERE slug = 'trial' AND name = 'Пробный' AND names = '{}'::jsonb;

-- Updates Kopeck does not handle, forwarded to the owner's product (PRODUCT_WEBHOOK_URL): kept here
-- before Telegram hears 200, delivered once each, in update order per chat, retried up to 24 h.
CREATE TABLE product_updates (
    chat_id         bigint NOT NULL,
    update_id       bigint NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    PRIMARY KEY (chat_id, update_id)
);
CREATE INDEX product_updates_due_idx ON product_updates (next_attempt_at) WHERE status = 'pending';
CREATE INDEX product_updates_finished_idx ON product_updates (created_at) WHERE status <> 'pending';

DO $citus$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'public.users'::regclass) THEN
            PERFORM create_distributed_table('product_updates', 'chat_id', colocate_with => 'users');
        END IF;
    END IF;
END
$citus$;

-- What a promo code gives, in words, per language ({"ru": "…", "en": "…"}): told when it is accepted.
ALTER TABLE promo_codes ADD COLUMN descriptions jsonb NOT NULL DEFAULT '{}'::jsonb;
