-- Tracks started from the bot and holds (SPEC §18, §19).

-- Tokens reserved by active holds: kept by the ledger with the holds it sums (ledger/Holds), read
-- under the same user-row lock as the balance, so available = token_balance - held is exact.
ALTER TABLE users ADD COLUMN held numeric(20,4) NOT NULL DEFAULT 0 CHECK (held >= 0);

-- A reservation of a user's tokens before work whose price is known only afterwards. Settled by
-- exactly one ledger row (its ledger_key: hold:<id> through the API, run:<task>:settle for a run the
-- bot started), released, or expired by the timer.
CREATE TABLE holds (
    user_id        bigint NOT NULL,
    hold_id        text NOT NULL CHECK (length(hold_id) BETWEEN 1 AND 128),
    amount         numeric(20,4) NOT NULL CHECK (amount > 0),
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'settled', 'released', 'expired')),
    description    text,
    expires_at     timestamptz NOT NULL,
    available_after numeric(20,4) NOT NULL,  -- balance − held right after it was placed (repeats answer it)
    ledger_key     text,                 -- settled: the idempotency key of its one ledger row
    tokens_charged numeric(20,4),        -- settled: what was charged (0: settled with nothing to charge)
    balance_after  numeric(20,4),
    transaction_id bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz,
    PRIMARY KEY (user_id, hold_id),
    CONSTRAINT holds_settled_complete CHECK (status <> 'settled' OR (ledger_key IS NOT NULL AND tokens_charged IS NOT NULL))
);
-- A hold id names one hold of one user (the API addresses it by id alone).
CREATE UNIQUE INDEX holds_hold_idx ON holds (hold_id);
CREATE INDEX holds_active_expiry_idx ON holds (expires_at) WHERE status = 'active';

-- What an owner's bot runs (SPEC §18). Small, read by every instance, changed by admins.
CREATE TABLE tracks (
    slug                  text PRIMARY KEY CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    command               text NOT NULL UNIQUE CHECK (command ~ '^[a-z0-9_]{1,32}$'),
    title                 jsonb NOT NULL,
    description           jsonb NOT NULL DEFAULT '{}'::jsonb,
    input                 jsonb NOT NULL,
    runner                jsonb NOT NULL,
    price                 jsonb NOT NULL,
    hold                  numeric(20,4) NOT NULL DEFAULT 0 CHECK (hold >= 0),
    requires_subscription boolean NOT NULL DEFAULT false,
    sort_order            integer NOT NULL DEFAULT 0,
    is_active             boolean NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Runs the bot started live next to those registered through the API, followed by the same code.
CREATE SEQUENCE runner_run_ref_seq;
ALTER TABLE runner_runs
    ADD COLUMN origin            text NOT NULL DEFAULT 'api' CHECK (origin IN ('api', 'bot')),
    ADD COLUMN ref               bigint NOT NULL DEFAULT nextval('runner_run_ref_seq'),  -- a short name for buttons
    ADD COLUMN track             text,
    ADD COLUMN price             jsonb,              -- bot runs: the track's price as it was when the run started
    ADD COLUMN costs             jsonb NOT NULL DEFAULT '{}'::jsonb,  -- bot runs: reported cost per event key
    ADD COLUMN events_done       integer NOT NULL DEFAULT 0,          -- bot runs: events taken, of every kind
    ADD COLUMN status_message_id bigint,
    ADD COLUMN hold_id           text,
    ADD COLUMN rating            smallint CHECK (rating BETWEEN 1 AND 3),
    ADD COLUMN finished_at       timestamptz;
ALTER TABLE runner_runs DROP CONSTRAINT runner_runs_status_check,
    ADD CONSTRAINT runner_runs_status_check CHECK (status IN ('following', 'done', 'failed', 'cancelled'));
CREATE INDEX runner_runs_user_ref_idx ON runner_runs (user_id, ref);
-- One run at a time per user in the bot: the running one is looked up when a new one starts.
CREATE INDEX runner_runs_bot_following_idx ON runner_runs (user_id) WHERE origin = 'bot' AND status = 'following';

-- Messages of one sequence (a run's output) leave in the order they were written: a row waits while
-- an earlier one of its sequence is still pending (a retry after a network failure or a 429).
ALTER TABLE notifications ADD COLUMN sequence text;
CREATE INDEX notifications_sequence_idx ON notifications (chat_id, sequence, id)
    WHERE status = 'pending' AND sequence IS NOT NULL;

-- On a database Citus already distributed, the new tables join in (as in V8).
DO $citus$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'public.users'::regclass) THEN
            DROP INDEX holds_hold_idx;
            CREATE INDEX holds_hold_idx ON holds (hold_id);
            PERFORM create_distributed_table('holds', 'user_id', colocate_with => 'users');
            PERFORM create_reference_table('tracks');
        END IF;
    END IF;
END
$citus$;
