import type { Db } from '../catalog-context.js';

export interface SearchHit {
  id: string;
  rank: number;
}

/**
 * Active products matching a web-style query (`walnut desk`, `"desk lamp"`, `lamp -brass`), best first.
 * The ranking weighs the name and SKU above the description (see the product_search migration).
 */
export async function searchProducts(
  db: Db,
  query: { text: string; skip: number; take: number },
): Promise<{ hits: SearchHit[]; total: number }> {
  const [hits, counted] = await Promise.all([
    db.$queryRaw<{ id: string; rank: number }[]>`
      select p.id, ts_rank_cd(p.search_vector, q.query)::float8 as rank
        from products p, websearch_to_tsquery('english', ${query.text}) as q(query)
       where p.search_vector @@ q.query and p.deleted_at is null and p.status = 'ACTIVE'
       order by rank desc, p.id
       limit ${query.take} offset ${query.skip}`,
    db.$queryRaw<{ total: number }[]>`
      select count(*)::int as total
        from products p, websearch_to_tsquery('english', ${query.text}) as q(query)
       where p.search_vector @@ q.query and p.deleted_at is null and p.status = 'ACTIVE'`,
  ]);
  return { hits: hits.map((hit) => ({ id: hit.id, rank: Number(hit.rank) })), total: counted[0]?.total ?? 0 };
}
