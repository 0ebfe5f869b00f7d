-- One database per service (and one for each simulator: the payment provider, the supplier). Run by the PostgreSQL container on its first start (docker-compose.yml), and
-- safe to run by hand against any PostgreSQL 15 as often as needed:
--   psql -h 127.0.0.1 -U postgres -f infra/postgres/init.sql
SELECT format('CREATE DATABASE %I', name)
FROM unnest(ARRAY[
  'platform_coordination',
  'product_catalog',
  'inventory',
  'orders',
  'delivery',
  'notifications',
  'payment_provider',
  'supplier'
]) AS name
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = name)
\gexec
