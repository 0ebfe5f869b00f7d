/**
 * What a statement costs through Prisma's client engine against node-postgres directly, on the same
 * pool, database and statements: a transaction of STATEMENTS inserts through `prisma.$transaction` and
 * `$executeRawUnsafe`, the same through `directTransactions` (the consumers' direct transactions), and a
 * typed read of an order with its relations (`findUnique` with `include`) against the one-statement SQL
 * read the saga uses. Warm-up first, then REPEAT rounds of ROUNDS each, the variants alternated; CPU of
 * this process per transaction (or read), median [min–max] over the rounds, and wall time.
 *
 * `npx tsx bench/statement-cost.ts` in services/orders (needs the local PostgreSQL server).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { directTransactions } from '@fv/messaging';
import { createTestDatabase } from '@fv/testing';
import { findOrder, insertOrder, orderInclude } from '../src/db/orders-store.js';
import { PrismaClient } from '../src/generated/prisma/client.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 500);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 8);

const database = await createTestDatabase({
  name: 'orders-statement-cost',
  migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
});
if (database.target.kind !== 'postgres') throw new Error('the benchmark needs the local PostgreSQL server');
const { db } = database;
await db.exec(
  'create table scratch (id uuid primary key, name text not null, body jsonb not null, n int not null)',
);
const prisma = new PrismaClient({ adapter: db.adapter });
const direct = directTransactions(db);
const INSERT = 'insert into scratch (id, name, body, n) values ($1::uuid, $2, $3::jsonb, $4)';

const orderId = randomUUID();
await insertOrder(prisma, {
  id: orderId,
  customerId: randomUUID(),
  customerEmail: 'bench@example.com',
  currency: 'USD',
  totalAmount: '59.97',
  paymentMethodType: 'CREDIT_CARD',
  paymentToken: 'tok_visa_4242',
  shippingAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
  shippingMethod: 'STANDARD',
  options: null,
  metadata: {},
  items: [1, 2, 3].map((lineNumber) => ({
    id: randomUUID(),
    lineNumber,
    productId: randomUUID(),
    sku: `SKU-${lineNumber}`,
    productName: `Product ${lineNumber}`,
    quantity: 1,
    unitPrice: '19.99',
    lineTotal: '19.99',
    warehouseId: 'wh-001',
  })),
});

const variants: [string, () => Promise<unknown>][] = [
  [
    `${STATEMENTS} inserts in a transaction, Prisma`,
    () =>
      prisma.$transaction(async (tx) => {
        for (let i = 0; i < STATEMENTS; i += 1)
          await tx.$executeRawUnsafe(INSERT, randomUUID(), 'x', '{"a":1}', i);
      }),
  ],
  [
    `${STATEMENTS} inserts in a transaction, direct`,
    () =>
      direct.$transaction(async (tx) => {
        for (let i = 0; i < STATEMENTS; i += 1)
          await tx.$executeRawUnsafe(INSERT, randomUUID(), 'x', '{"a":1}', i);
      }),
  ],
  [
    'order with relations, Prisma findUnique',
    () => prisma.order.findUnique({ where: { id: orderId }, include: orderInclude }),
  ],
  ['order with relations, one SQL statement', () => findOrder(direct, orderId)],
];

async function round(run: () => Promise<unknown>): Promise<{ cpuUs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i += 1) await run();
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / ROUNDS, wallMs: (performance.now() - started) / ROUNDS };
}

for (const [, run] of variants) for (let i = 0; i < 100; i += 1) await run();
const results = variants.map(() => [] as { cpuUs: number; wallMs: number }[]);
for (let repetition = 0; repetition < REPEAT; repetition += 1) {
  for (const [index, [, run]] of variants.entries()) results[index]!.push(await round(run));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], digits: number) =>
  `${median(values).toFixed(digits)} [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]`;
console.log(
  `statement cost — ${ROUNDS} per round, ${REPEAT} rounds alternated, after a warm-up; CPU of this process`,
);
for (const [index, [label]] of variants.entries()) {
  const figures = results[index]!;
  console.log(
    `${label.padEnd(44)} CPU ${spread(
      figures.map((f) => f.cpuUs),
      0,
    ).padStart(18)} µs   wall ${spread(
      figures.map((f) => f.wallMs),
      2,
    ).padStart(18)} ms`,
  );
}
await prisma.$disconnect();
await database.dispose();
