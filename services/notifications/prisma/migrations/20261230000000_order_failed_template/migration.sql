-- A failed order (its saga failed: payment declined, stock unavailable, no delivery, timeout) has a
-- message of its own, sent on OrderFailed or the saga's NOTIFY_CUSTOMER for a failure.
INSERT INTO "templates" ("id", "key", "channel", "subject", "body", "description", "updated_at") VALUES
  ('3c1f9d0e-6a52-5b8e-9f41-0d7e2a6b5c11', 'order-failed', 'EMAIL', 'Your order {{orderId}} could not be completed', E'We are sorry: your order {{orderId}} could not be completed ({{reason}}). Nothing will be charged, and any payment taken will be returned to you.', 'Order failed', CURRENT_TIMESTAMP),
  ('8e24b7a3-1d6f-5c09-a2b8-4f3e6d9c0a72', 'order-failed', 'SMS', NULL, E'Sorry, order {{orderId}} could not be completed ({{reason}}). Any payment taken will be returned.', 'Order failed (text)', CURRENT_TIMESTAMP),
  ('b5d0e8c6-7f13-5a4d-8c2e-9a1b3f6d7e84', 'order-failed', 'PUSH', 'Order failed', E'Order {{orderId}} could not be completed.', 'Order failed (push)', CURRENT_TIMESTAMP)
ON CONFLICT ("key", "channel") DO NOTHING;
