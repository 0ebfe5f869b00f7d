
-- CreateTable
CREATE TABLE "workflows" (
    "id" UUID NOT NULL,
    "workflow_type" VARCHAR(100) NOT NULL,
    "correlation_id" VARCHAR(200) NOT NULL,
    "status" VARCHAR(50) NOT NULL,
    "current_step" VARCHAR(200),
    "context" JSONB NOT NULL,
    "metadata" JSONB,
    "template_version" VARCHAR(20) NOT NULL,
    "opened_by" VARCHAR(100) NOT NULL,
    "customer_id" VARCHAR(100),
    "priority" VARCHAR(20),
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "next_deadline_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "workflows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_steps" (
    "id" UUID NOT NULL,
    "workflow_id" UUID NOT NULL,
    "step_name" VARCHAR(100) NOT NULL,
    "position" INTEGER NOT NULL,
    "status" VARCHAR(50) NOT NULL,
    "retry_count" INTEGER NOT NULL DEFAULT 0,
    "input" JSONB,
    "output" JSONB,
    "error" JSONB,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "workflow_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sagas" (
    "id" UUID NOT NULL,
    "saga_type" VARCHAR(100) NOT NULL,
    "workflow_id" UUID NOT NULL,
    "status" VARCHAR(50) NOT NULL,
    "state" JSONB NOT NULL,
    "compensation_state" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "compensation_started_at" TIMESTAMPTZ(3),
    "compensation_ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sagas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "compensation_logs" (
    "id" UUID NOT NULL,
    "saga_id" UUID NOT NULL,
    "step_name" VARCHAR(100) NOT NULL,
    "action" VARCHAR(100) NOT NULL,
    "status" VARCHAR(50) NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "details" JSONB,
    "executed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compensation_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_events" (
    "id" UUID NOT NULL,
    "workflow_id" UUID NOT NULL,
    "event_type" VARCHAR(100) NOT NULL,
    "step_name" VARCHAR(100),
    "source_event_id" UUID,
    "payload" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_start_requests" (
    "caller_id" VARCHAR(200) NOT NULL,
    "idempotency_key" VARCHAR(255) NOT NULL,
    "request_hash" VARCHAR(64) NOT NULL,
    "workflow_id" UUID NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_start_requests_pkey" PRIMARY KEY ("caller_id","idempotency_key")
);

-- CreateTable
CREATE TABLE "webhook_subscriptions" (
    "id" UUID NOT NULL,
    "url" VARCHAR(2048) NOT NULL,
    "event_types" TEXT[],
    "secret" VARCHAR(200) NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_by" VARCHAR(200),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "subscription_id" UUID NOT NULL,
    "event_type" VARCHAR(100) NOT NULL,
    "workflow_id" UUID,
    "payload" JSONB NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "last_status_code" INTEGER,
    "last_error" VARCHAR(2000),
    "history" JSONB NOT NULL DEFAULT '[]',
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idx_workflows_status" ON "workflows"("status");

-- CreateIndex
CREATE INDEX "idx_workflows_type_status" ON "workflows"("workflow_type", "status");

-- CreateIndex
CREATE INDEX "idx_workflows_correlation_id" ON "workflows"("correlation_id");

-- CreateIndex
CREATE INDEX "idx_workflows_created_at" ON "workflows"("created_at");

-- CreateIndex
CREATE INDEX "idx_workflows_next_deadline" ON "workflows"("next_deadline_at");

-- CreateIndex
CREATE UNIQUE INDEX "workflows_type_correlation_key" ON "workflows"("workflow_type", "correlation_id");

-- CreateIndex
CREATE INDEX "idx_workflow_steps_workflow_id" ON "workflow_steps"("workflow_id");

-- CreateIndex
CREATE INDEX "idx_workflow_steps_status" ON "workflow_steps"("status");

-- CreateIndex
CREATE UNIQUE INDEX "workflow_steps_workflow_step_key" ON "workflow_steps"("workflow_id", "step_name");

-- CreateIndex
CREATE UNIQUE INDEX "sagas_workflow_id_key" ON "sagas"("workflow_id");

-- CreateIndex
CREATE INDEX "idx_sagas_saga_type" ON "sagas"("saga_type");

-- CreateIndex
CREATE INDEX "idx_sagas_status" ON "sagas"("status");

-- CreateIndex
CREATE INDEX "idx_compensation_logs_saga_id" ON "compensation_logs"("saga_id");

-- CreateIndex
CREATE INDEX "idx_workflow_events_workflow_id" ON "workflow_events"("workflow_id");

-- CreateIndex
CREATE INDEX "idx_workflow_events_created_at" ON "workflow_events"("created_at");

-- CreateIndex
CREATE INDEX "idx_workflow_events_event_type" ON "workflow_events"("event_type");

-- CreateIndex
CREATE INDEX "idx_webhook_deliveries_due" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "idx_webhook_deliveries_subscription" ON "webhook_deliveries"("subscription_id", "created_at");

-- AddForeignKey
ALTER TABLE "workflow_steps" ADD CONSTRAINT "workflow_steps_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sagas" ADD CONSTRAINT "sagas_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "compensation_logs" ADD CONSTRAINT "compensation_logs_saga_id_fkey" FOREIGN KEY ("saga_id") REFERENCES "sagas"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_events" ADD CONSTRAINT "workflow_events_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

