-- The refund of a received return: one row per return (at most one refund per return, whatever
-- redeliveries happen), with its failed attempts and when the next one is due.
CREATE TABLE "return_refunds" (
    "return_id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "items" JSONB NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "key_sequence" INTEGER NOT NULL DEFAULT 1,
    "next_attempt_at" TIMESTAMPTZ(3),
    "refund_id" UUID,
    "last_error_code" VARCHAR(100),
    "last_error_message" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "return_refunds_pkey" PRIMARY KEY ("return_id")
);

CREATE INDEX "return_refunds_order_idx" ON "return_refunds"("order_id");
CREATE INDEX "return_refunds_due_idx" ON "return_refunds"("status", "next_attempt_at");
