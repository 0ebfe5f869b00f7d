-- CreateTable
CREATE TABLE "publishable_keys" (
    "id" UUID NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "key_prefix" VARCHAR(16) NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "scopes" VARCHAR(40)[],
    "rate_limit_per_minute" INTEGER NOT NULL,
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "publishable_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "publishable_keys_key_hash_key" ON "publishable_keys"("key_hash");

-- CreateIndex
CREATE INDEX "publishable_keys_created_idx" ON "publishable_keys"("created_at");


-- A key's limit is a positive rate.
ALTER TABLE "publishable_keys" ADD CONSTRAINT "publishable_keys_rate_limit_positive" CHECK ("rate_limit_per_minute" > 0);
