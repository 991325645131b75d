-- The offer each company pays for, beside its seats (the licences read model), and its
-- invoices. Filled by the `licences` projection from the company's stream.
ALTER TABLE companies
    ADD COLUMN billing_period text,
    ADD COLUMN renews_on date,
    ADD COLUMN past_due_since date,
    ADD COLUMN next_attempt_on date;

-- Renewals due: the background job asks for companies whose date has come.
CREATE INDEX companies_renewals ON companies (coalesce(next_attempt_on, renews_on)) WHERE renews_on IS NOT NULL;

CREATE TABLE invoices (
    company_id uuid NOT NULL,
    number integer NOT NULL,
    issued_on date NOT NULL,
    total_cents bigint NOT NULL,
    currency text NOT NULL,
    invoice jsonb NOT NULL,
    PRIMARY KEY (company_id, number)
);

-- The built-in test gateway's own records (the default payment gateway, when no Stripe key
-- is set). A card is kept as brand, last four digits, expiry and how the test card behaves:
-- never its number or security code.
CREATE TABLE test_gateway_cards (
    token      text PRIMARY KEY,
    brand      text NOT NULL,
    last4      text NOT NULL,
    exp_month  integer NOT NULL,
    exp_year   integer NOT NULL,
    behaviour  text NOT NULL,
    customer   text,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per idempotency key: a second charge with the same key returns the first.
CREATE TABLE test_gateway_charges (
    idempotency_key uuid PRIMARY KEY,
    payment_id      text NOT NULL UNIQUE,
    token           text NOT NULL,
    company_id      uuid NOT NULL,
    amount_cents    bigint NOT NULL,
    currency        text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
