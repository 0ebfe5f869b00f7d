-- A saga payment call that met an unavailable provider waits for the recovery sweeper, which retries it
-- (same idempotency key) at next_attempt_at with a capped backoff; retries counts those rounds.
ALTER TABLE "payment_attempts" ADD COLUMN "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "payment_attempts" ADD COLUMN "retries" INTEGER NOT NULL DEFAULT 0;

-- Calls recorded before: recovery takes them over 60 s after they were last touched, as it did.
UPDATE "payment_attempts" SET "next_attempt_at" = "updated_at" + INTERVAL '60 seconds' WHERE "applied_at" IS NULL;

DROP INDEX "payment_attempts_applied_at_updated_at_idx";

-- CreateIndex
CREATE INDEX "payment_attempts_applied_at_next_attempt_at_idx" ON "payment_attempts"("applied_at", "next_attempt_at");
