-- Replenishment: how much to reorder per location and from whom, the replenishments themselves (at
-- most one open per location, enforced by a partial unique index), and the returns already restocked.

-- CreateTable
CREATE TABLE "replenishment_settings" (
    "product_id" UUID NOT NULL,
    "warehouse_id" VARCHAR(64) NOT NULL,
    "reorder_quantity" INTEGER NOT NULL,
    "supplier_id" VARCHAR(64) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "replenishment_settings_pkey" PRIMARY KEY ("product_id","warehouse_id"),
    CONSTRAINT "replenishment_settings_reorder_quantity_check" CHECK ("reorder_quantity" > 0)
);

-- CreateTable
CREATE TABLE "replenishments" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "warehouse_id" VARCHAR(64) NOT NULL,
    "quantity" INTEGER NOT NULL,
    "available_quantity" INTEGER NOT NULL,
    "threshold" INTEGER NOT NULL,
    "supplier_id" VARCHAR(64) NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "purchase_order_id" VARCHAR(100),
    "expected_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "failure_reason" VARCHAR(40),
    "failure_details" TEXT,
    "alert_event_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ordered_at" TIMESTAMPTZ(3),
    "confirmed_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "replenishments_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "replenishments_quantity_check" CHECK ("quantity" > 0),
    CONSTRAINT "replenishments_status_check" CHECK ("status" IN ('REQUESTED', 'ORDERED', 'CONFIRMED', 'RECEIVED', 'FAILED'))
);

-- At most one open replenishment per location: a second alert finds the first.
CREATE UNIQUE INDEX "replenishments_one_open_per_location" ON "replenishments"("product_id", "warehouse_id")
    WHERE "status" IN ('REQUESTED', 'ORDERED', 'CONFIRMED');

-- The open ones due for work, soonest first.
CREATE INDEX "replenishments_due_idx" ON "replenishments"("next_attempt_at")
    WHERE "status" IN ('REQUESTED', 'ORDERED', 'CONFIRMED');

CREATE INDEX "replenishments_product_idx" ON "replenishments"("product_id", "warehouse_id", "created_at");

-- CreateTable
CREATE TABLE "return_restocks" (
    "return_id" TEXT NOT NULL,
    "product_id" UUID NOT NULL,
    "warehouse_id" VARCHAR(64) NOT NULL,
    "quantity" INTEGER NOT NULL,
    "restocked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "return_restocks_pkey" PRIMARY KEY ("return_id","product_id")
);
