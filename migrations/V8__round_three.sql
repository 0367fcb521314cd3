-- Round three (SPEC §17).

-- A promo code's uses are reserved by the pending invoices that carry it: invoice creation counts
-- them under a lock on the code. Few invoices are pending with a code at any time.
CREATE INDEX invoices_pending_promo_idx ON invoices (promo_code_id)
  WHERE status = 'pending' AND promo_code_id IS NOT NULL;

-- Payments that arrive as Telegram updates (successful_payment, refunded_payment): the durable record,
-- written before Telegram hears 200 (it never sends the update again), pending until the payment's
-- effect is recorded or refused; the timer tries again until then (payment/PaymentUpdates). It is
-- also the de-duplication of those updates.
CREATE TABLE telegram_payment_updates (
    user_id         bigint NOT NULL,
    update_id       bigint NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'refused')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, update_id)
);
CREATE INDEX telegram_payment_updates_due_idx ON telegram_payment_updates (next_attempt_at) WHERE status = 'pending';

-- On a database Citus already distributed (db/citus/distribute.sql ran before this migration existed),
-- the new table joins its users' shards.
DO $citus$
BEGIN
    -- Nested: pg_dist_partition exists only with Citus, and a statement is planned only when it runs.
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'public.users'::regclass) THEN
            PERFORM create_distributed_table('telegram_payment_updates', 'user_id', colocate_with => 'users');
        END IF;
    END IF;
END
$citus$;
