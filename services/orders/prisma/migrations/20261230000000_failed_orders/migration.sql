-- A failed saga ends the order FAILED; failure_reason says why (PAYMENT_FAILED, INVENTORY_ERROR,
-- DELIVERY_FAILED, TIMEOUT, SAGA_FAILED), next to the failed step's own code in failure_code.
ALTER TABLE "orders" ADD COLUMN "failure_reason" VARCHAR(40);
