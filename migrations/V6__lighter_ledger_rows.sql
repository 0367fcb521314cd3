-- Fewer B-tree entries per charge (issue 17): every charge writes a ledger row and a usage row, and
-- many a run-cost message; each index on them is a page write and a WAL record per row.

-- The ledger's rows are named by (user, seq), gap-free per user: that becomes the primary key.
-- (user, id) indexed nothing a query looks up — ids are unique by their identity sequence, and
-- only `kopeck ledger verify` joins on them, reading whole tables.
ALTER TABLE transactions DROP CONSTRAINT transactions_pkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_user_seq_key;
ALTER TABLE transactions ADD CONSTRAINT transactions_pkey PRIMARY KEY (user_id, seq);

-- Every per-user read of usage rows (/costs) takes all of the user's rows, which the primary key
-- (user_id, event_id) finds as well; date ranges go through the BRIN index on created_at.
DROP INDEX usage_charges_user_created_idx;

-- Run-cost messages are one outbox row per user and window: nothing reads the outbox by user
-- (the sender claims by due time, retention by age, a repeat is caught by (chat_id, dedup_key)).
DROP INDEX notifications_user_idx;
