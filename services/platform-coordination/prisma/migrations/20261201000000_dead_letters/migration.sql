-- The dead-letter ledger (see src/dlq/).
-- CreateTable
CREATE TABLE "dead_letters" (
    "id" UUID NOT NULL,
    "dlq_topic" VARCHAR(249) NOT NULL,
    "dlq_partition" INTEGER NOT NULL,
    "dlq_offset" BIGINT NOT NULL,
    "original_topic" VARCHAR(249) NOT NULL,
    "original_partition" INTEGER,
    "original_offset" BIGINT,
    "original_timestamp" TIMESTAMPTZ(3),
    "message_key" BYTEA,
    "value" BYTEA,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "event_name" VARCHAR(100),
    "event_id" VARCHAR(100),
    "order_id" VARCHAR(100),
    "correlation_id" VARCHAR(200),
    "decode_error" VARCHAR(2000),
    "error_code" VARCHAR(100) NOT NULL,
    "error_class" VARCHAR(200),
    "error_message" VARCHAR(4000),
    "attempts" INTEGER,
    "consumer_group" VARCHAR(200),
    "failed_at" TIMESTAMPTZ(3) NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'PENDING',
    "replayed_at" TIMESTAMPTZ(3),
    "discarded_at" TIMESTAMPTZ(3),
    "discard_reason" VARCHAR(1000),
    "resolved_by" VARCHAR(200),
    "replay_of" UUID,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "dead_letters_status_check" CHECK ("status" IN ('PENDING', 'REPLAYED', 'DISCARDED'))
);

-- CreateIndex
CREATE INDEX "dead_letters_status_topic_idx" ON "dead_letters"("status", "original_topic");

-- CreateIndex
CREATE INDEX "dead_letters_order_idx" ON "dead_letters"("order_id");

-- CreateIndex
CREATE INDEX "dead_letters_error_code_idx" ON "dead_letters"("error_code");

-- CreateIndex
CREATE INDEX "dead_letters_failed_at_idx" ON "dead_letters"("failed_at");

-- CreateIndex
CREATE UNIQUE INDEX "dead_letters_dlq_position_key" ON "dead_letters"("dlq_topic", "dlq_partition", "dlq_offset");

