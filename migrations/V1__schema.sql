-- Kopeck schema: every entity of SPEC §3.
-- Conventions: money in NUMERIC(12,2) roubles, tokens in NUMERIC(20,4); every timestamp is timestamptz;
-- every table that grows with traffic carries user_id and is keyed by it first, so it could be
-- distributed by user_id (e.g. Citus) without redesign.

CREATE TABLE tariffs (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    description      text NOT NULL DEFAULT '',
    price            numeric(12,2) NOT NULL CHECK (price >= 0),
    tokens           numeric(20,4) NOT NULL CHECK (tokens >= 0),
    period_unit      text CHECK (period_unit IN ('hour', 'day', 'month')),
    period_value     integer CHECK (period_value > 0),
    subscription_fee numeric(20,4) NOT NULL DEFAULT 0 CHECK (subscription_fee >= 0),
    sort_order       integer NOT NULL DEFAULT 0,
    is_active        boolean NOT NULL DEFAULT true,
    is_trial         boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tariffs_period_complete CHECK ((period_unit IS NULL) = (period_value IS NULL)),
    -- A free tariff can only be a trial, and trials are never sold through invoices.
    CONSTRAINT tariffs_free_only_trial CHECK (is_trial OR price > 0)
);

CREATE TABLE users (
    id                   bigint PRIMARY KEY,               -- Telegram user id
    username             text,
    first_name           text,
    last_name            text,
    language_code        text,
    token_balance        numeric(20,4) NOT NULL DEFAULT 0,
    balance_seq          bigint NOT NULL DEFAULT 0 CHECK (balance_seq >= 0),
    subscription_end     timestamptz,
    tariff_id            uuid REFERENCES tariffs (id),
    auto_renew           boolean NOT NULL DEFAULT true,
    last_expiry_notice   integer,                          -- days threshold last notified this period
    expired_notified     boolean NOT NULL DEFAULT false,   -- the "expired" notice of the current lapse was sent
    is_blocked           boolean NOT NULL DEFAULT false,   -- blocked by an admin
    bot_blocked          boolean NOT NULL DEFAULT false,   -- the user blocked the bot (Telegram 403)
    daily_spend_limit    numeric(20,4) CHECK (daily_spend_limit > 0),
    spent_day            date,                             -- day (display time zone) that spent_today counts
    spent_today          numeric(20,4) NOT NULL DEFAULT 0 CHECK (spent_today >= 0),
    low_balance_notified boolean NOT NULL DEFAULT false,
    cost_message_format  text NOT NULL DEFAULT 'basic' CHECK (cost_message_format IN ('basic', 'detailed', 'off')),
    language_override    text CHECK (language_override IN ('ru', 'en')),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
-- Balances change on every charge: free room on each page lets those updates stay HOT (no index writes).
ALTER TABLE users SET (fillfactor = 70);
CREATE INDEX users_subscription_end_idx ON users (subscription_end) WHERE subscription_end IS NOT NULL;

-- The ledger: append-only, one row per balance change. Idempotency keys are scoped per user
-- (UNIQUE(user_id, idempotency_key)) and namespaced by their source, e.g. "spend:<key>",
-- "invoice:<uuid>"; see docs/ledger.md.
CREATE TABLE transactions (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    user_id         bigint NOT NULL,                   -- see below: no FOREIGN KEY on the hot path
    seq             bigint NOT NULL CHECK (seq > 0),
    type            text NOT NULL CHECK (type IN ('topup', 'spend', 'usage', 'subscription', 'refund', 'adjustment', 'trial')),
    tokens_delta    numeric(20,4) NOT NULL CHECK (tokens_delta <> 0),
    balance_after   numeric(20,4) NOT NULL,
    idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    invoice_id      uuid,
    description     text,
    metadata        jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, id),
    CONSTRAINT transactions_user_seq_key UNIQUE (user_id, seq)
);
-- transactions and usage_charges have no FOREIGN KEY to users: every writer locks the user row
-- first (the lock is what makes seq and balance_after correct), users are never deleted, and a
-- per-row FK check costs about a third of a ledger insert on the hot path. `kopeck ledger verify`
-- reports any row without its user.
-- Usage rows carry no key here: their exactly-once key is usage_charges' primary key, which also
-- holds their transaction_id; leaving them out keeps the hot path one index insert lighter.
CREATE UNIQUE INDEX transactions_user_idempotency_key ON transactions (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- Append-only and time-ordered: BRIN costs next to nothing per insert and serves date ranges.
CREATE INDEX transactions_created_at_brin ON transactions USING brin (created_at);
-- A paid invoice is credited once and refunded once.
CREATE UNIQUE INDEX transactions_invoice_type_key ON transactions (user_id, invoice_id, type) WHERE invoice_id IS NOT NULL;

CREATE TABLE promo_codes (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code              text NOT NULL UNIQUE CHECK (code = upper(code) AND length(code) BETWEEN 1 AND 64),
    discount_type     text NOT NULL CHECK (discount_type IN ('percent', 'fixed', 'bonus_tokens', 'trial')),
    discount_value    numeric(20,4) NOT NULL DEFAULT 0 CHECK (discount_value >= 0),
    max_uses          integer CHECK (max_uses > 0),        -- null = unlimited
    uses_count        integer NOT NULL DEFAULT 0 CHECK (uses_count >= 0),
    max_uses_per_user integer NOT NULL DEFAULT 1 CHECK (max_uses_per_user > 0),
    valid_from        timestamptz NOT NULL DEFAULT now(),
    valid_until       timestamptz,                         -- null = open-ended
    tariff_id         uuid REFERENCES tariffs (id),        -- null = any tariff
    is_active         boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT promo_percent_range CHECK (discount_type <> 'percent' OR discount_value <= 100),
    CONSTRAINT promo_trial_needs_tariff CHECK (discount_type <> 'trial' OR tariff_id IS NOT NULL),
    CONSTRAINT promo_validity_window CHECK (valid_until IS NULL OR valid_until > valid_from)
);

CREATE SEQUENCE invoice_inv_id_seq START WITH 1000;

CREATE TABLE invoices (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    inv_id          bigint NOT NULL UNIQUE DEFAULT nextval('invoice_inv_id_seq'),
    user_id         bigint NOT NULL REFERENCES users (id),
    tariff_id       uuid NOT NULL REFERENCES tariffs (id),
    promo_code_id   uuid REFERENCES promo_codes (id),
    amount          numeric(12,2) NOT NULL CHECK (amount >= 1.00),
    original_amount numeric(12,2) NOT NULL CHECK (original_amount >= amount),
    tokens          numeric(20,4) NOT NULL CHECK (tokens >= 0),   -- including bonus tokens
    bonus_tokens    numeric(20,4) NOT NULL DEFAULT 0 CHECK (bonus_tokens >= 0),
    period_unit     text CHECK (period_unit IN ('hour', 'day', 'month')),
    period_value    integer CHECK (period_value > 0),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'expired', 'cancelled', 'refunded')),
    idempotency_key text NOT NULL UNIQUE,
    provider        text NOT NULL,
    payment_url     text,
    paid_at         timestamptz,
    refunded_at     timestamptz,
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invoices_period_complete CHECK ((period_unit IS NULL) = (period_value IS NULL)),
    CONSTRAINT invoices_paid_has_time CHECK (status NOT IN ('paid', 'refunded') OR paid_at IS NOT NULL)
);
CREATE INDEX invoices_user_idx ON invoices (user_id, created_at);
CREATE INDEX invoices_pending_expiry_idx ON invoices (expires_at) WHERE status = 'pending';

-- The invoice status machine (SPEC §3) enforced where every writer must pass:
-- pending -> paid | expired | cancelled; expired|cancelled -> paid (a late payment was received);
-- paid -> refunded. Anything else is refused.
CREATE FUNCTION invoices_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF (OLD.status = 'pending' AND NEW.status IN ('paid', 'expired', 'cancelled'))
       OR (OLD.status IN ('expired', 'cancelled') AND NEW.status = 'paid')
       OR (OLD.status = 'paid' AND NEW.status = 'refunded') THEN
        NEW.updated_at := now();
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'invoice % cannot move from % to %', OLD.inv_id, OLD.status, NEW.status
        USING ERRCODE = 'check_violation';
END;
$$;
CREATE TRIGGER invoices_status_transition BEFORE UPDATE OF status ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_check_transition();

CREATE TABLE promo_redemptions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       bigint NOT NULL REFERENCES users (id),
    promo_code_id uuid NOT NULL REFERENCES promo_codes (id),
    tariff_id     uuid NOT NULL REFERENCES tariffs (id),
    invoice_id    uuid UNIQUE REFERENCES invoices (id),
    kind          text NOT NULL CHECK (kind IN ('invoice', 'trial')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT redemptions_invoice_kind CHECK ((kind = 'invoice') = (invoice_id IS NOT NULL))
);
CREATE INDEX promo_redemptions_user_code_idx ON promo_redemptions (user_id, promo_code_id);
-- A trial tariff is granted once per user, whatever code is used.
CREATE UNIQUE INDEX promo_redemptions_trial_once ON promo_redemptions (user_id, tariff_id) WHERE kind = 'trial';

-- One row per track_cost event; (user_id, event_id) is the event's idempotency key.
CREATE TABLE usage_charges (
    user_id           bigint NOT NULL,                          -- no FK: see transactions
    event_id          text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 128),
    track             text,
    total_cost        numeric NOT NULL CHECK (total_cost >= 0),   -- as reported, unrounded
    currency          text NOT NULL,
    multiplier        numeric NOT NULL CHECK (multiplier > 0),
    tokens_charged    numeric(20,4) NOT NULL CHECK (tokens_charged >= 0),
    api_calls         integer,
    free_requests     integer,
    prompt_tokens     bigint,
    completion_tokens bigint,
    total_tokens      bigint,
    node_costs        jsonb,
    status            text NOT NULL CHECK (status IN ('charged', 'rejected')),
    reject_reason     text,
    transaction_id    bigint,                                   -- null for zero-cost and rejected events
    balance_after     numeric(20,4),                            -- balance right after this event, for duplicate answers
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, event_id),
    CONSTRAINT usage_rejected_has_reason CHECK ((status = 'rejected') = (reject_reason IS NOT NULL))
);
CREATE INDEX usage_charges_created_at_brin ON usage_charges USING brin (created_at);
CREATE INDEX usage_charges_user_created_idx ON usage_charges (user_id, created_at);

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_type  text NOT NULL CHECK (actor_type IN ('admin', 'cli', 'user', 'webhook', 'timer', 'system')),
    actor_id    text,
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    user_id     bigint,
    old_value   jsonb,
    new_value   jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, created_at) WHERE user_id IS NOT NULL;

-- Processed webhook update ids (dedup of Telegram retries), pruned after a week.
CREATE TABLE telegram_updates (
    update_id   bigint PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX telegram_updates_received_idx ON telegram_updates (received_at);

-- Per-user conversation state, so that any instance can continue a conversation.
CREATE TABLE bot_sessions (
    user_id    bigint PRIMARY KEY,
    state      text NOT NULL,
    data       jsonb NOT NULL DEFAULT '{}'::jsonb,
    expires_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bot_sessions_expires_idx ON bot_sessions (expires_at);

-- Transactional outbox of Telegram messages, written in the same transaction as the change it reports.
CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint,                               -- null for admin-only notices
    chat_id         bigint NOT NULL,
    kind            text NOT NULL,
    template        text,
    args            jsonb,
    text            text,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    dedup_key       text,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT notifications_has_body CHECK (template IS NOT NULL OR text IS NOT NULL),
    CONSTRAINT notifications_chat_dedup_key UNIQUE (chat_id, dedup_key)
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at) WHERE user_id IS NOT NULL;
