-- Promotion codes. Usage limits are enforced by the database: coupons.uses is raised only by a
-- conditional UPDATE (uses < usage_limit), coupon_customer_uses likewise per customer, and a
-- redemption row is unique per order, so concurrent orders can never exceed a limit.
CREATE TABLE "coupons" (
  "id" UUID NOT NULL,
  "code" VARCHAR(64) NOT NULL,
  "kind" VARCHAR(20) NOT NULL,
  "value" DECIMAL(12, 2) NOT NULL,
  "currency" CHAR(3),
  "valid_from" TIMESTAMPTZ(3) NOT NULL,
  "valid_until" TIMESTAMPTZ(3),
  "minimum_order_value" DECIMAL(12, 2),
  "usage_limit" INTEGER,
  "per_customer_limit" INTEGER,
  "uses" INTEGER NOT NULL DEFAULT 0,
  "active" BOOLEAN NOT NULL DEFAULT true,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "coupons_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "coupons_kind_check" CHECK ("kind" IN ('PERCENTAGE', 'FIXED')),
  CONSTRAINT "coupons_uses_check" CHECK ("uses" >= 0 AND ("usage_limit" IS NULL OR "uses" <= "usage_limit"))
);
CREATE UNIQUE INDEX "coupons_code_key" ON "coupons"("code");

CREATE TABLE "coupon_customer_uses" (
  "coupon_id" UUID NOT NULL,
  "customer_id" UUID NOT NULL,
  "uses" INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT "coupon_customer_uses_pkey" PRIMARY KEY ("coupon_id", "customer_id"),
  CONSTRAINT "coupon_customer_uses_uses_check" CHECK ("uses" >= 0),
  CONSTRAINT "coupon_customer_uses_coupon_fkey" FOREIGN KEY ("coupon_id") REFERENCES "coupons"("id") ON DELETE CASCADE
);

CREATE TABLE "coupon_redemptions" (
  "order_id" UUID NOT NULL,
  "coupon_id" UUID NOT NULL,
  "customer_id" UUID NOT NULL,
  "discount" DECIMAL(12, 2) NOT NULL,
  -- ACTIVE while the order holds the use, RELEASED once a failed or cancelled order gave it back.
  "status" VARCHAR(20) NOT NULL DEFAULT 'ACTIVE',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "released_at" TIMESTAMPTZ(3),
  CONSTRAINT "coupon_redemptions_pkey" PRIMARY KEY ("order_id"),
  CONSTRAINT "coupon_redemptions_coupon_fkey" FOREIGN KEY ("coupon_id") REFERENCES "coupons"("id") ON DELETE RESTRICT
);
CREATE INDEX "coupon_redemptions_coupon_idx" ON "coupon_redemptions"("coupon_id");

ALTER TABLE "orders" ADD COLUMN "coupon_code" VARCHAR(64);
ALTER TABLE "orders" ADD COLUMN "discount_amount" DECIMAL(12, 2);
