-- Coming from the seed system (issue 14, SPEC §14).

-- Users brought over by `kopeck import pays` (their ledger starts with the pays history).
ALTER TABLE users ADD COLUMN imported_from text CHECK (imported_from IN ('pays'));

-- Low-balance tiers (LOW_BALANCE_THRESHOLDS): the lowest threshold already announced in the
-- current descent; null = every tier armed. A tier re-arms once the balance is back at or above it.
-- low_balance_notified (one threshold) gives way to it: notified means every tier down to the
-- lowest counts as told.
ALTER TABLE users ADD COLUMN low_balance_tier numeric(20,4);
UPDATE users SET low_balance_tier = 0 WHERE low_balance_notified;
ALTER TABLE users ALTER COLUMN low_balance_tier SET DEFAULT 0;
ALTER TABLE users DROP COLUMN low_balance_notified;

-- The daily spending limit is announced once a day: the day (display time zone) it was last told.
ALTER TABLE users ADD COLUMN daily_limit_notified_on date;

-- Runner task streams followed by Kopeck (SSE): stored so that a restart resumes them.
-- Keyed by user first like every table that grows with traffic; a run id belongs to one user.
CREATE TABLE runner_runs (
    user_id       bigint NOT NULL,
    run_id        text NOT NULL CHECK (length(run_id) BETWEEN 1 AND 128),
    stream_url    text NOT NULL CHECK (length(stream_url) BETWEEN 1 AND 2000),
    status        text NOT NULL DEFAULT 'following' CHECK (status IN ('following', 'done', 'failed')),
    last_event_id text,                 -- the stream's own id of the last event taken (Last-Event-ID)
    events_seen   integer NOT NULL DEFAULT 0,   -- track_cost events counted so far (n of run:<id>:<n>)
    charged       integer NOT NULL DEFAULT 0,
    tokens        numeric(20,4) NOT NULL DEFAULT 0,
    attempts      integer NOT NULL DEFAULT 0,
    error         text,
    claimed_by    text,                 -- the instance following it, with its lease
    lease_until   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, run_id)
);
-- A run id names one run, of one user.
CREATE UNIQUE INDEX runner_runs_run_idx ON runner_runs (run_id);
CREATE INDEX runner_runs_following_idx ON runner_runs (lease_until) WHERE status = 'following';
