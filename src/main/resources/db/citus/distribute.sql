-- Kopeck on Citus (SPEC §16, deploy/citus/README.md): the schema of migrations/ made distributed.
-- Run by `kopeck migrate` when the citus extension is installed, and by `kopeck citus distribute`;
-- one transaction, and a database already distributed is left as it is.
--
--   by user id, co-located: users, transactions, usage_charges, invoices, promo_redemptions,
--                           payments, bot_sessions, runner_runs, telegram_payment_updates, holds,
--                           grants, webhook_events,
--                           and notifications and product_updates by chat id
--                           (a user's chat id is the user id, so a user's outbox sits with the user)
--   by update id:           telegram_updates (co-located too; it is joined with nothing)
--   reference tables:       tariffs, promo_codes (small, read and locked by every shard's writes), tracks
--   local (coordinator):    audit_log, send_pacing, usage_rollup, usage_daily_*, the Flyway history
--
-- Three parts, run in order in one transaction by io.kopeck.db.CitusSchema (which first leaves a schema
-- that is already distributed alone): the keys changed, then the tables one statement each (so that a
-- long distribution reports its progress table by table), then the local copies dropped and the keys back.

-- @prepare
DO $prepare$
BEGIN
    -- A key between distributed tables must contain the distribution column. These three name an
    -- invoice by id alone; the rows that hold them are written under the invoice's user lock, so
    -- the application keeps them right (and `kopeck ledger verify` reads them).
    ALTER TABLE promo_redemptions DROP CONSTRAINT promo_redemptions_invoice_id_fkey;
    ALTER TABLE payments DROP CONSTRAINT payments_invoice_id_fkey;
    ALTER TABLE invoices DROP CONSTRAINT invoices_renews_invoice_id_fkey;
    -- Keys to users come back once both sides are distributed (Citus takes none from a local table).
    ALTER TABLE invoices DROP CONSTRAINT invoices_user_id_fkey;
    ALTER TABLE promo_redemptions DROP CONSTRAINT promo_redemptions_user_id_fkey;

    -- Unique keys gain the user id. Invoice ids and InvIds stay unique because they come from
    -- gen_random_uuid() and a sequence; a provider payment id is recorded under the user its
    -- payment names (the invoice's user), so (user, provider, payment id) is as strict as before.
    ALTER TABLE invoices DROP CONSTRAINT invoices_pkey, ADD PRIMARY KEY (user_id, id);
    ALTER TABLE invoices DROP CONSTRAINT invoices_inv_id_key, ADD CONSTRAINT invoices_inv_id_key UNIQUE (user_id, inv_id);
    CREATE INDEX invoices_inv_id_idx ON invoices (inv_id);
    CREATE INDEX invoices_id_idx ON invoices (id);
    ALTER TABLE invoices DROP CONSTRAINT invoices_idempotency_key_key,
        ADD CONSTRAINT invoices_idempotency_key_key UNIQUE (user_id, idempotency_key);
    DROP INDEX invoices_provider_payment_key;
    CREATE UNIQUE INDEX invoices_provider_payment_key ON invoices (user_id, provider, provider_payment_id)
        WHERE provider_payment_id IS NOT NULL;
    CREATE INDEX invoices_provider_payment_idx ON invoices (provider, provider_payment_id)
        WHERE provider_payment_id IS NOT NULL;
    ALTER TABLE promo_redemptions DROP CONSTRAINT promo_redemptions_pkey, ADD PRIMARY KEY (user_id, id);
    ALTER TABLE promo_redemptions DROP CONSTRAINT promo_redemptions_invoice_id_key,
        ADD CONSTRAINT promo_redemptions_invoice_id_key UNIQUE (user_id, invoice_id);
    ALTER TABLE payments DROP CONSTRAINT payments_pkey, ADD PRIMARY KEY (user_id, id);
    ALTER TABLE payments DROP CONSTRAINT payments_provider_payment_key,
        ADD CONSTRAINT payments_provider_payment_key UNIQUE (user_id, provider, provider_payment_id);
    CREATE INDEX payments_provider_payment_idx ON payments (provider, provider_payment_id);
    ALTER TABLE notifications DROP CONSTRAINT notifications_pkey, ADD PRIMARY KEY (chat_id, id);
    -- A run id is still claimed once: registration looks it up before it inserts (usage/Runs).
    DROP INDEX runner_runs_run_idx;
    CREATE INDEX runner_runs_run_idx ON runner_runs (run_id);
    -- A hold id likewise: placing a hold looks it up first (ledger/Holds).
    DROP INDEX holds_hold_idx;
    CREATE INDEX holds_hold_idx ON holds (hold_id);

    -- The invoice status machine (a row trigger that reads only its row) runs on every shard.
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
END
$prepare$;

-- @tables: one statement a line. Tables with a foreign key to a reference table are taken into Citus's
-- metadata with it, so the keys above changed first.
SELECT create_reference_table('tariffs');
SELECT create_reference_table('promo_codes');
SELECT create_reference_table('tracks');
SELECT create_distributed_table('users', 'id');
SELECT create_distributed_table('transactions', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('usage_charges', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('invoices', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('promo_redemptions', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('payments', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('bot_sessions', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('runner_runs', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('telegram_payment_updates', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('holds', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('grants', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('webhook_events', 'user_id', colocate_with => 'users');
SELECT create_distributed_table('product_updates', 'chat_id', colocate_with => 'users');
SELECT create_distributed_table('notifications', 'chat_id', colocate_with => 'users');
SELECT create_distributed_table('telegram_updates', 'update_id', colocate_with => 'users');

-- @finish
DO $finish$
BEGIN
    -- Rows that existed (kopeck citus distribute) were copied to the shards; the coordinator's copy goes.
    PERFORM truncate_local_data_after_distributing_table(logicalrelid)
    FROM pg_dist_partition WHERE logicalrelid IN ('users'::regclass, 'transactions'::regclass,
        'usage_charges'::regclass, 'invoices'::regclass, 'promo_redemptions'::regclass, 'payments'::regclass,
        'bot_sessions'::regclass, 'runner_runs'::regclass, 'notifications'::regclass, 'telegram_updates'::regclass,
        'telegram_payment_updates'::regclass, 'holds'::regclass, 'product_updates'::regclass,
        'grants'::regclass, 'webhook_events'::regclass,
        'tariffs'::regclass, 'promo_codes'::regclass, 'tracks'::regclass);
    ALTER TABLE invoices ADD CONSTRAINT invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
    ALTER TABLE promo_redemptions ADD CONSTRAINT promo_redemptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
END
$finish$;
