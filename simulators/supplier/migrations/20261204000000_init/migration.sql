-- The simulated supplier's purchase orders (one per idempotency key, rejections included) and the
-- behaviour set for a product by a test (NORMAL, REJECT, UNAVAILABLE).

create table purchase_orders (
  id                  text primary key,
  idempotency_key     text not null unique,
  request_fingerprint text not null,
  reference           text,
  product_id          text not null,
  warehouse_id        text not null,
  quantity            integer not null check (quantity > 0),
  status              text not null check (status in ('PLACED', 'REJECTED')),
  rejection_reason    text,
  created_at          timestamptz not null default now(),
  confirm_at          timestamptz not null,
  deliver_at          timestamptz not null,
  check (deliver_at >= confirm_at)
);

create index purchase_orders_reference_idx on purchase_orders (reference);

create table product_behaviours (
  product_id text primary key,
  behaviour  text not null check (behaviour in ('NORMAL', 'REJECT', 'UNAVAILABLE')),
  updated_at timestamptz not null default now()
);
