
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
CREATE TABLE "service_instances" (
    "id" UUID NOT NULL,
    "name" VARCHAR(63) NOT NULL,
    "version" VARCHAR(64) NOT NULL,
    "host" VARCHAR(253) NOT NULL,
    "port" INTEGER NOT NULL,
    "base_url" VARCHAR(2048) NOT NULL,
    "health_url" VARCHAR(2048) NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "zone" VARCHAR(64),
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "status" VARCHAR(16) NOT NULL,
    "heartbeat_status" VARCHAR(16) NOT NULL,
    "http_status" VARCHAR(16) NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL,
    "last_heartbeat_at" TIMESTAMPTZ(3) NOT NULL,
    "critical_since" TIMESTAMPTZ(3),
    "last_checked_at" TIMESTAMPTZ(3),
    "health_history" JSONB NOT NULL DEFAULT '[]',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "service_instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "config_sources" (
    "service" VARCHAR(63) NOT NULL,
    "profile" VARCHAR(63) NOT NULL,
    "version" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "config_sources_pkey" PRIMARY KEY ("service","profile")
);

-- CreateTable
CREATE TABLE "config_versions" (
    "service" VARCHAR(63) NOT NULL,
    "profile" VARCHAR(63) NOT NULL,
    "version" INTEGER NOT NULL,
    "entries" JSONB NOT NULL,
    "secret_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "changes" JSONB NOT NULL DEFAULT '[]',
    "operation" VARCHAR(16) NOT NULL,
    "restored_from" INTEGER,
    "updated_by" VARCHAR(200),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "config_versions_pkey" PRIMARY KEY ("service","profile","version")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events"("event_id");

-- CreateIndex
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events"("published_at", "position");

-- CreateIndex
CREATE INDEX "service_instances_name_status_idx" ON "service_instances"("name", "status");

-- CreateIndex
CREATE INDEX "service_instances_status_idx" ON "service_instances"("status");

-- CreateIndex
CREATE INDEX "service_instances_last_heartbeat_idx" ON "service_instances"("last_heartbeat_at");

-- CreateIndex
CREATE UNIQUE INDEX "service_instances_name_host_port_key" ON "service_instances"("name", "host", "port");

-- AddForeignKey
ALTER TABLE "config_versions" ADD CONSTRAINT "config_versions_service_profile_fkey" FOREIGN KEY ("service", "profile") REFERENCES "config_sources"("service", "profile") ON DELETE CASCADE ON UPDATE CASCADE;

