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
CREATE TABLE "shipments" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "customer_id" VARCHAR(100) NOT NULL,
    "status" VARCHAR(30) NOT NULL,
    "carrier" VARCHAR(50) NOT NULL,
    "service_level" VARCHAR(20) NOT NULL,
    "label_number" VARCHAR(50) NOT NULL,
    "tracking_id" VARCHAR(50) NOT NULL,
    "label_url" TEXT,
    "recipient_name" VARCHAR(200),
    "street" VARCHAR(300) NOT NULL,
    "city" VARCHAR(120) NOT NULL,
    "state" VARCHAR(120),
    "zip_code" VARCHAR(20) NOT NULL,
    "country" CHAR(2) NOT NULL,
    "phone" VARCHAR(30),
    "estimated_delivery_at" TIMESTAMPTZ(3),
    "dispatched_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "signed_by" VARCHAR(200),
    "cancelled_at" TIMESTAMPTZ(3),
    "cancel_reason" VARCHAR(50),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "shipments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipment_items" (
    "shipment_id" UUID NOT NULL,
    "product_id" VARCHAR(100) NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "shipment_items_pkey" PRIMARY KEY ("shipment_id","product_id")
);

-- CreateTable
CREATE TABLE "tracking_events" (
    "id" UUID NOT NULL,
    "shipment_id" UUID NOT NULL,
    "status" VARCHAR(30) NOT NULL,
    "carrier_event_id" VARCHAR(200),
    "location" VARCHAR(200),
    "description" VARCHAR(500),
    "source" VARCHAR(20) NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tracking_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scheduling_failures" (
    "order_id" UUID NOT NULL,
    "shipment_id" UUID NOT NULL,
    "carrier" VARCHAR(50) NOT NULL,
    "error_code" VARCHAR(50) NOT NULL,
    "error_message" TEXT NOT NULL,
    "retriable" BOOLEAN NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scheduling_failures_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "shipment_cancellations" (
    "order_id" UUID NOT NULL,
    "shipment_id" UUID NOT NULL,
    "saga_id" VARCHAR(100),
    "reason" VARCHAR(50) NOT NULL,
    "from_status" VARCHAR(30),
    "cancelled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shipment_cancellations_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "returns" (
    "id" UUID NOT NULL,
    "shipment_id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "customer_id" VARCHAR(100) NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "reason" VARCHAR(30) NOT NULL,
    "comment" VARCHAR(1000),
    "warehouse_id" VARCHAR(100),
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "received_at" TIMESTAMPTZ(3),

    CONSTRAINT "returns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "return_items" (
    "return_id" UUID NOT NULL,
    "product_id" VARCHAR(100) NOT NULL,
    "quantity" INTEGER NOT NULL,
    "reason" VARCHAR(30),
    "condition" VARCHAR(20),

    CONSTRAINT "return_items_pkey" PRIMARY KEY ("return_id","product_id")
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
CREATE UNIQUE INDEX "shipments_order_id_key" ON "shipments"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "shipments_label_number_key" ON "shipments"("label_number");

-- CreateIndex
CREATE UNIQUE INDEX "shipments_tracking_id_key" ON "shipments"("tracking_id");

-- CreateIndex
CREATE INDEX "shipments_customer_id_created_at_idx" ON "shipments"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "shipments_status_idx" ON "shipments"("status");

-- CreateIndex
CREATE INDEX "tracking_events_shipment_id_occurred_at_idx" ON "tracking_events"("shipment_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "tracking_events_shipment_id_carrier_event_id_key" ON "tracking_events"("shipment_id", "carrier_event_id");

-- CreateIndex
CREATE INDEX "returns_shipment_id_idx" ON "returns"("shipment_id");

-- CreateIndex
CREATE INDEX "returns_customer_id_requested_at_idx" ON "returns"("customer_id", "requested_at");

-- AddForeignKey
ALTER TABLE "shipment_items" ADD CONSTRAINT "shipment_items_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "shipments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "shipments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "returns" ADD CONSTRAINT "returns_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "shipments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "return_items" ADD CONSTRAINT "return_items_return_id_fkey" FOREIGN KEY ("return_id") REFERENCES "returns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

