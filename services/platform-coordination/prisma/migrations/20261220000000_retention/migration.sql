-- The retention purge deletes the ids of applied events by age.
CREATE INDEX "processed_events_processed_idx" ON "processed_events"("processed_at");

-- Start requests are purged by age.
CREATE INDEX "workflow_start_requests_created_idx" ON "workflow_start_requests"("created_at");

-- Settled webhook deliveries are purged by age.
CREATE INDEX "idx_webhook_deliveries_created_at" ON "webhook_deliveries"("created_at");
