-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "outbox_events" (
    "position" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "event_name" VARCHAR(100) NOT NULL,
    "topic" VARCHAR(249) NOT NULL,
    "message_key" VARCHAR(200) NOT NULL,
    "payload" JSONB NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("position")
);

-- CreateTable
CREATE TABLE "processed_events" (
    "consumer_group" VARCHAR(200) NOT NULL,
    "event_id" UUID NOT NULL,
    "event_name" VARCHAR(100) NOT NULL,
    "topic" VARCHAR(249) NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer_group","event_id")
);

-- CreateTable
CREATE TABLE "templates" (
    "id" UUID NOT NULL,
    "key" VARCHAR(100) NOT NULL,
    "channel" VARCHAR(10) NOT NULL,
    "subject" VARCHAR(300),
    "body" TEXT NOT NULL,
    "description" VARCHAR(500),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel_preferences" (
    "customer_id" VARCHAR(100) NOT NULL,
    "channel" VARCHAR(10) NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "channel_preferences_pkey" PRIMARY KEY ("customer_id","channel")
);

-- CreateTable
CREATE TABLE "customer_contacts" (
    "customer_id" VARCHAR(100) NOT NULL,
    "email" VARCHAR(320),
    "phone" VARCHAR(30),
    "push_token" VARCHAR(500),
    "self_managed" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customer_contacts_pkey" PRIMARY KEY ("customer_id")
);

-- CreateTable
CREATE TABLE "order_contacts" (
    "order_id" VARCHAR(100) NOT NULL,
    "customer_id" VARCHAR(100) NOT NULL,
    "email" VARCHAR(320),
    "phone" VARCHAR(30),
    "name" VARCHAR(200),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_contacts_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(100) NOT NULL,
    "order_id" VARCHAR(100),
    "source_event_id" UUID NOT NULL,
    "source_event" VARCHAR(100) NOT NULL,
    "template_key" VARCHAR(100) NOT NULL,
    "channel" VARCHAR(10) NOT NULL,
    "recipient" VARCHAR(500),
    "subject" VARCHAR(300),
    "body" TEXT,
    "status" VARCHAR(10) NOT NULL,
    "reason" VARCHAR(30),
    "last_error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "provider" VARCHAR(50),
    "provider_message_id" VARCHAR(200),
    "correlation_id" VARCHAR(200) NOT NULL,
    "causation_id" UUID NOT NULL,
    "traceparent" VARCHAR(100),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recorded_deliveries" (
    "id" UUID NOT NULL,
    "notification_id" UUID NOT NULL,
    "channel" VARCHAR(10) NOT NULL,
    "recipient" VARCHAR(500) NOT NULL,
    "subject" VARCHAR(300),
    "body" TEXT NOT NULL,
    "delivered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recorded_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "scope" VARCHAR(200) NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    "operation" VARCHAR(100) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "status_code" INTEGER NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events"("event_id");

-- CreateIndex
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events"("published_at", "position");

-- CreateIndex
CREATE UNIQUE INDEX "templates_key_channel_key" ON "templates"("key", "channel");

-- CreateIndex
CREATE INDEX "notifications_status_next_attempt_at_idx" ON "notifications"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notifications_customer_id_created_at_idx" ON "notifications"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "notifications_order_id_idx" ON "notifications"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_customer_event_channel_key" ON "notifications"("customer_id", "source_event_id", "channel");

-- CreateIndex
CREATE UNIQUE INDEX "recorded_deliveries_notification_id_key" ON "recorded_deliveries"("notification_id");

