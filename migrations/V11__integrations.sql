-- SPEC §21: events out, credit grants.

-- Events for the owner's systems, written in the transaction of the effect they report and sent from
-- here at least once. The body is kept as the exact bytes that are signed and sent, so a retry sends
-- the same bytes and the receiver's de-duplication by id works. One event per effect: (user, dedup_key)
-- is unique, so an effect replayed (an update delivered twice, a retried job) queues nothing new.
CREATE TABLE webhook_events (
    user_id         bigint NOT NULL,
    id              text NOT NULL,
    type            text NOT NULL,
    dedup_key       text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    PRIMARY KEY (user_id, id),
    CONSTRAINT webhook_events_dedup UNIQUE (user_id, dedup_key)
);
CREATE INDEX webhook_events_due_idx ON webhook_events (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_events_failed_idx ON webhook_events (created_at) WHERE status = 'failed';
CREATE INDEX webhook_events_id_idx ON webhook_events (id);

-- Credit grants: tokens given with an end. The ledger row (type 'grant', key 'grant:<id>') carries the
-- tokens; this row says when they end and, once ended, how many were taken back (type 'expiry', key
-- 'grant-expiry:<id>') after which of the user's ledger rows (expired_seq), so the consumption order
-- of SPEC §21 can be replayed from the ledger at any time (ledger.GrantReplay).
CREATE TABLE grants (
    user_id        bigint NOT NULL,
    grant_id       text NOT NULL CHECK (length(grant_id) BETWEEN 1 AND 100),
    amount         numeric(20,4) NOT NULL CHECK (amount > 0),
    granted_seq    bigint NOT NULL,
    expires_at     timestamptz NOT NULL,
    reason         text,
    source         text NOT NULL CHECK (source IN ('admin', 'promo', 'trial')),
    created_at     timestamptz NOT NULL,
    expired_at     timestamptz,
    expired_seq    bigint,
    expired_amount numeric(20,4) CHECK (expired_amount >= 0),
    PRIMARY KEY (user_id, grant_id),
    CHECK ((expired_at IS NULL) = (expired_seq IS NULL) AND (expired_at IS NULL) = (expired_amount IS NULL))
);
CREATE INDEX grants_due_idx ON grants (expires_at) WHERE expired_at IS NULL;

ALTER TABLE transactions DROP CONSTRAINT transactions_type_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_type_check
    CHECK (type IN ('topup', 'spend', 'usage', 'subscription', 'refund', 'adjustment', 'trial', 'grant', 'expiry'));

DO $citus$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'public.users'::regclass) THEN
            PERFORM create_distributed_table('webhook_events', 'user_id', colocate_with => 'users');
            PERFORM create_distributed_table('grants', 'user_id', colocate_with => 'users');
        END IF;
    END IF;
END
$citus$;
