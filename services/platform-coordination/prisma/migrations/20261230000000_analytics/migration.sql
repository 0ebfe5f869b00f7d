-- The analytics read model (docs/analytics.md).
CREATE TABLE "analytics_orders" (
    "order_id" VARCHAR(100) NOT NULL,
    "currency" VARCHAR(3),
    "total_amount" DECIMAL(14,2),
    "items" JSONB,
    "created_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "failure_reason" VARCHAR(100),
    "failure_source" VARCHAR(16),
    "compensated" BOOLEAN NOT NULL DEFAULT false,
    "refunded_amount" DECIMAL(14,2) NOT NULL DEFAULT 0,

    CONSTRAINT "analytics_orders_pkey" PRIMARY KEY ("order_id")
);
CREATE INDEX "analytics_orders_created_idx" ON "analytics_orders"("created_at");
CREATE INDEX "analytics_orders_completed_idx" ON "analytics_orders"("completed_at");

CREATE TABLE "analytics_steps" (
    "workflow_type" VARCHAR(40) NOT NULL,
    "instance_key" VARCHAR(100) NOT NULL,
    "step" VARCHAR(40) NOT NULL,
    "position" SMALLINT NOT NULL,
    "reached_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "analytics_steps_pkey" PRIMARY KEY ("workflow_type","instance_key","step")
);
CREATE INDEX "analytics_steps_start_idx" ON "analytics_steps"("workflow_type", "position", "reached_at");

CREATE TABLE "analytics_minute_counts" (
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "metric" VARCHAR(40) NOT NULL,
    "key" VARCHAR(100) NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,

    CONSTRAINT "analytics_minute_counts_pkey" PRIMARY KEY ("minute","metric","key")
);
