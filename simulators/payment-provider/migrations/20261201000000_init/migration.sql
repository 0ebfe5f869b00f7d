-- The simulated provider's ledger: authorizations and what was done to them, the first answer to
-- each idempotency key, and the simulated one-off failures it has already served.

create table authorizations (
  id                  text primary key,
  merchant_reference  text,
  payment_method_type text not null,
  currency            char(3) not null,
  amount_minor        bigint not null check (amount_minor > 0),
  captured_minor      bigint not null default 0 check (captured_minor >= 0),
  refunded_minor      bigint not null default 0 check (refunded_minor >= 0),
  status              text not null check (status in ('AUTHORIZED', 'VOIDED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED')),
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  check (captured_minor <= amount_minor),
  check (refunded_minor <= captured_minor)
);

create index authorizations_merchant_reference_idx on authorizations (merchant_reference);

create table operations (
  id               text primary key,
  authorization_id text not null references authorizations (id),
  kind             text not null check (kind in ('CAPTURE', 'VOID', 'REFUND')),
  amount_minor     bigint,
  currency         char(3) not null,
  idempotency_key  text not null unique,
  created_at       timestamptz not null default now()
);

create index operations_authorization_id_idx on operations (authorization_id);

create table idempotency_keys (
  key                 text primary key,
  request_fingerprint text not null,
  status_code         integer not null,
  response            jsonb not null,
  created_at          timestamptz not null default now()
);

create table simulated_failures (
  idempotency_key text primary key,
  token           text not null,
  created_at      timestamptz not null default now()
);
