-- Batch operations of the saga console (see src/operations/).
-- CreateTable
CREATE TABLE "batch_operations" (
    "id" UUID NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "filter" JSONB NOT NULL,
    "reason" VARCHAR(1000),
    "requested_by" VARCHAR(200) NOT NULL,
    "total" INTEGER NOT NULL,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "runner" VARCHAR(100),
    "lease_until" TIMESTAMPTZ(3),

    CONSTRAINT "batch_operations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "batch_operations_type_check" CHECK ("type" IN ('RETRY', 'CANCEL', 'REPLAY')),
    CONSTRAINT "batch_operations_status_check" CHECK ("status" IN ('RUNNING', 'COMPLETED'))
);

-- CreateTable
CREATE TABLE "batch_operation_rows" (
    "operation_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "target_id" VARCHAR(100) NOT NULL,
    "order_id" VARCHAR(100),
    "status" VARCHAR(16) NOT NULL,
    "error_code" VARCHAR(100),
    "message" VARCHAR(2000),
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "batch_operation_rows_pkey" PRIMARY KEY ("operation_id","position"),
    CONSTRAINT "batch_operation_rows_status_check" CHECK ("status" IN ('PENDING', 'SUCCEEDED', 'FAILED'))
);

-- CreateIndex
CREATE INDEX "batch_operations_created_at_idx" ON "batch_operations"("created_at");

-- CreateIndex
CREATE INDEX "batch_operations_status_idx" ON "batch_operations"("status");

-- AddForeignKey
ALTER TABLE "batch_operation_rows" ADD CONSTRAINT "batch_operation_rows_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "batch_operations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

