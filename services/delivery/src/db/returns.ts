import type { PrismaDb } from './client.js';

export const returnInclude = { items: { orderBy: { productId: 'asc' } } } as const;

export async function findReturnById(db: PrismaDb, id: string) {
  return db.return.findUnique({ where: { id }, include: returnInclude });
}

export async function lockReturnById(
  db: PrismaDb,
  id: string,
): Promise<{ id: string; status: string } | null> {
  const rows = await db.$queryRawUnsafe<{ id: string; status: string }[]>(
    'select id::text as id, status from returns where id = $1::uuid for update',
    id,
  );
  return rows[0] ?? null;
}

/** Units per product already claimed by the shipment's earlier returns. */
export async function returnedQuantities(db: PrismaDb, shipmentId: string): Promise<Map<string, number>> {
  const rows = await db.returnItem.groupBy({
    by: ['productId'],
    where: { return: { shipmentId } },
    _sum: { quantity: true },
  });
  return new Map(rows.map((row) => [row.productId, row._sum.quantity ?? 0]));
}

export interface ReturnFilter {
  orderId?: string;
  shipmentId?: string;
  customerId?: string;
  status?: string;
}

export async function listReturns(db: PrismaDb, filter: ReturnFilter, page: { page: number; size: number }) {
  const where = {
    ...(filter.orderId ? { orderId: filter.orderId } : {}),
    ...(filter.shipmentId ? { shipmentId: filter.shipmentId } : {}),
    ...(filter.customerId ? { customerId: filter.customerId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  const [rows, total] = await Promise.all([
    db.return.findMany({
      where,
      include: returnInclude,
      orderBy: [{ requestedAt: 'desc' }, { id: 'asc' }],
      skip: page.page * page.size,
      take: page.size,
    }),
    db.return.count({ where }),
  ]);
  return { rows, total };
}
