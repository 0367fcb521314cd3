-- Telegram Stars and YooKassa (issue 13, SPEC §12–13): one payment model for every provider.

-- Whole Stars; null = the tariff is not sold for Stars.
ALTER TABLE tariffs ADD COLUMN price_stars integer CHECK (price_stars BETWEEN 1 AND 1000000);

-- An invoice is priced in roubles (card providers) or in Stars (currency XTR, whole numbers).
ALTER TABLE invoices ADD COLUMN currency text NOT NULL DEFAULT 'RUB' CHECK (currency IN ('RUB', 'XTR'));
ALTER TABLE invoices ADD CONSTRAINT invoices_stars_whole CHECK (currency <> 'XTR' OR amount = trunc(amount));
-- The provider's id of the payment made for this invoice: YooKassa's payment id from creation on,
-- the InvId or Telegram charge id that paid it otherwise.
ALTER TABLE invoices ADD COLUMN provider_payment_id text CHECK (length(provider_payment_id) BETWEEN 1 AND 200);
CREATE UNIQUE INDEX invoices_provider_payment_key ON invoices (provider, provider_payment_id)
    WHERE provider_payment_id IS NOT NULL;
-- A Stars subscription invoice (createInvoiceLink with subscription_period), and a renewal
-- (recurring payment) pointing at the first invoice of its subscription.
ALTER TABLE invoices ADD COLUMN star_subscription boolean NOT NULL DEFAULT false;
ALTER TABLE invoices ADD COLUMN renews_invoice_id uuid REFERENCES invoices (id);
CREATE INDEX invoices_pending_provider_idx ON invoices (provider, created_at) WHERE status = 'pending';

-- Every payment a provider reported, once: (provider, provider_payment_id) is the exactly-once key
-- of a credit. credited: it paid its invoice; refunded: that invoice was refunded later;
-- refund_due: money Kopeck did not credit (a second payment of a paid invoice, a payment that does
-- not fit its invoice) and returns; returned: that money went back; refund_pending: a refund asked
-- of the provider and not yet confirmed.
CREATE TABLE payments (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id             bigint NOT NULL,
    provider            text NOT NULL,
    provider_payment_id text NOT NULL CHECK (length(provider_payment_id) BETWEEN 1 AND 200),
    invoice_id          uuid REFERENCES invoices (id),
    amount              numeric(12,2) NOT NULL CHECK (amount >= 0),
    currency            text NOT NULL CHECK (currency IN ('RUB', 'XTR')),
    status              text NOT NULL CHECK (status IN ('credited', 'refunded', 'refund_due', 'returned', 'refund_pending')),
    recurring           boolean NOT NULL DEFAULT false,
    refund_id           text,
    problem             text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_provider_payment_key UNIQUE (provider, provider_payment_id)
);
CREATE INDEX payments_invoice_idx ON payments (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX payments_user_idx ON payments (user_id, created_at);
CREATE INDEX payments_open_refunds_idx ON payments (provider, updated_at) WHERE status IN ('refund_due', 'refund_pending');

-- The receipt e-mail (54-FZ), asked once in the bot; the Stars subscription Telegram renews.
ALTER TABLE users ADD COLUMN email text CHECK (length(email) BETWEEN 3 AND 254);
ALTER TABLE users ADD COLUMN stars_subscription_charge_id text;
ALTER TABLE users ADD COLUMN stars_subscription_canceled boolean NOT NULL DEFAULT false;

-- Payments recorded before this step: each paid invoice was paid once, by its InvId.
INSERT INTO payments (user_id, provider, provider_payment_id, invoice_id, amount, currency, status, created_at, updated_at)
SELECT user_id, provider, inv_id::text, id, amount, 'RUB', CASE status WHEN 'refunded' THEN 'refunded' ELSE 'credited' END,
       paid_at, paid_at
FROM invoices WHERE status IN ('paid', 'refunded');
UPDATE invoices SET provider_payment_id = inv_id::text WHERE status IN ('paid', 'refunded');
