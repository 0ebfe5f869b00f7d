-- Rules the database enforces whatever the caller: no negative prices or stock, no category that is
-- its own parent (longer cycles are refused by the service, under a lock on the category tree).
ALTER TABLE "products" ADD CONSTRAINT "products_price_non_negative" CHECK ("price" >= 0);
ALTER TABLE "products" ADD CONSTRAINT "products_available_quantity_non_negative" CHECK ("available_quantity" >= 0);
ALTER TABLE "price_changes" ADD CONSTRAINT "price_changes_price_non_negative" CHECK ("price" >= 0);
ALTER TABLE "categories" ADD CONSTRAINT "categories_not_own_parent" CHECK ("parent_id" IS NULL OR "parent_id" <> "id");
