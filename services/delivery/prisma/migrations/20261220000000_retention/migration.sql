-- The retention purge deletes the ids of applied events by age.
CREATE INDEX "processed_events_processed_idx" ON "processed_events"("processed_at");
