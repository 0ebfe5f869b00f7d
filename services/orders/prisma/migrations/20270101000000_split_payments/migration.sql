-- Split payments: the parts an order is paid with (type, token until the order is confirmed or ends,
-- amount before any discount), and on the payment each part's authorization, capture and refunds.
ALTER TABLE "orders" ADD COLUMN "payment_parts" JSONB;
ALTER TABLE "payments" ADD COLUMN "parts" JSONB;
