-- Admin statistics (issue 7): every stats query reads a time range through an index.
-- usage_charges and transactions already have BRIN indexes on created_at (append-only tables,
-- so physical order follows time and a BRIN range scan reads only the blocks of the range).
CREATE INDEX invoices_paid_at_idx ON invoices (paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX invoices_refunded_at_idx ON invoices (refunded_at) WHERE refunded_at IS NOT NULL;
CREATE INDEX users_created_at_idx ON users (created_at);

-- A BRIN range inserted after the last vacuum is unsummarized and matches every query, so a
-- one-day report would read the whole table. autosummarize has autovacuum summarize each range
-- as soon as it fills.
ALTER INDEX usage_charges_created_at_brin SET (autosummarize = on);
ALTER INDEX transactions_created_at_brin SET (autosummarize = on);

-- The low-balance notice (issue 6) is armed only once a balance has reached the threshold: a new
-- user, who never had tokens, is not told their balance is low. The timer re-arms it whenever the
-- balance is back at or above the threshold.
ALTER TABLE users ALTER COLUMN low_balance_notified SET DEFAULT true;

-- Retention (the timer deletes finished outbox rows after 30 days) reads them by age.
CREATE INDEX notifications_finished_idx ON notifications (created_at) WHERE status <> 'pending';

-- Daily usage rollups for the admin report: a closed day's usage by track and by node, written
-- once by the timer (usage_rollup holds the watermark: every day before rolled_until, in the
-- display time zone named there, is in these tables). Reports read the rollups for closed days
-- and aggregate only the days after the watermark live.
CREATE TABLE usage_daily_track (
    day      date NOT NULL,
    track    text NOT NULL,
    runs     bigint NOT NULL,
    tokens   numeric(24,4) NOT NULL,
    cost_rub numeric NOT NULL,
    PRIMARY KEY (day, track)
);
CREATE TABLE usage_daily_node (
    day      date NOT NULL,
    node     text NOT NULL,
    calls    bigint NOT NULL,
    cost_rub numeric NOT NULL,
    PRIMARY KEY (day, node)
);
CREATE TABLE usage_rollup (
    id            integer PRIMARY KEY CHECK (id = 1),
    time_zone     text,
    rolled_until  date,           -- first day not rolled up; null: not started
    updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO usage_rollup (id) VALUES (1);
