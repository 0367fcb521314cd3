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
