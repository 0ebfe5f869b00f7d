-- A business reference besides the order (a return id), carried by NotificationSent / NotificationFailed.
ALTER TABLE "notifications" ADD COLUMN "reference" VARCHAR(200);

-- The refund of a received return has a message of its own.
INSERT INTO "templates" ("id", "key", "channel", "subject", "body", "description", "updated_at") VALUES
  ('5a7c2e91-3b4d-5f60-8a1b-2c3d4e5f6a71', 'return-refunded', 'EMAIL', 'Your return for order {{orderId}} is refunded', E'We received your return {{returnId}} for order {{orderId}} and refunded {{amount}} {{currency}}.', 'Return received and refunded', CURRENT_TIMESTAMP),
  ('6b8d3fa2-4c5e-5071-9b2c-3d4e5f6a7b82', 'return-refunded', 'SMS', NULL, E'Return for order {{orderId}} received: {{amount}} {{currency}} refunded.', 'Return refunded (text)', CURRENT_TIMESTAMP),
  ('7c9e40b3-5d6f-5182-8c3d-4e5f6a7b8c93', 'return-refunded', 'PUSH', 'Return refunded', E'{{amount}} {{currency}} refunded for your return of order {{orderId}}.', 'Return refunded (push)', CURRENT_TIMESTAMP)
ON CONFLICT ("key", "channel") DO NOTHING;
