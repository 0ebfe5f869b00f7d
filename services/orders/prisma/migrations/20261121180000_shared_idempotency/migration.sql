-- X-Idempotency-Key answers move to the table every service shares (idempotency.prisma of
-- @fv/service-runtime). The answers in "idempotency_keys" are not carried over: idempotency
-- records are short-lived (they serve a client's retries of one request), so the only effect is
-- that a retry sent across the upgrade runs as a new request.

-- DropTable
DROP TABLE "idempotency_keys";

-- CreateTable
CREATE TABLE "idempotent_requests" (
    "scope" VARCHAR(200) NOT NULL,
    "operation" VARCHAR(200) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "status_code" INTEGER NOT NULL,
    "response_body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotent_requests_pkey" PRIMARY KEY ("scope","operation","key")
);

-- CreateIndex
CREATE INDEX "idempotent_requests_created_idx" ON "idempotent_requests"("created_at");
