-- Full-text search over products. Prisma cannot model a generated tsvector column, so it is kept out of
-- the Prisma schema and queried with raw SQL (src/db/product-search.ts). The name and the SKU weigh
-- most (A), the description less (B): a product whose name matches ranks above one whose description does.
ALTER TABLE "products" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce("name", '')), 'A') ||
    setweight(to_tsvector('simple', coalesce("sku", '')), 'A') ||
    setweight(to_tsvector('english', coalesce("description", '')), 'B')
) STORED;

CREATE INDEX "products_search_vector_idx" ON "products" USING GIN ("search_vector");
