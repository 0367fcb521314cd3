-- Admin statistics (issue 7): every stats query reads a time range through an index.
-- usage_charges and transactions already have BRIN indexes on created_at (append-only tables,
-- so physical order follows time and a BRIN range scan reads only the blocks of the range).
CREATE INDEX invoices_paid_at_idx ON invoices (paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX invoices_refunded_at_idx ON invoices (refunded_at) WHERE refunded_at IS NOT NULL;
CREATE INDEX users_created_at_idx ON users (created_at);
