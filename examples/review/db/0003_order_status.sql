-- A hand-written SQL migration: the index is built concurrently, so it does not block writes.
SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY "shop_order_status_idx" ON "shop_order" ("status");
