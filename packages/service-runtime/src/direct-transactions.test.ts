import { openDatabase, type Database } from '@fv/database';
import { directTransactions } from '@fv/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('directTransactions: a consumer transaction on the database pool', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: null });
    await db.exec('create table items (id int primary key, name text not null)');
  });
  afterAll(async () => {
    await db.close();
  });

  it('commits what the function wrote, and reports the rows each statement changed', async () => {
    const client = directTransactions(db);
    const changed = await client.$transaction(async (tx) => {
      const inserted = await tx.$executeRawUnsafe(
        'insert into items (id, name) values ($1, $2), ($3, $4)',
        1,
        'a',
        2,
        'b',
      );
      const updated = await tx.$executeRawUnsafe("update items set name = 'c' where id = $1", 3);
      return [inserted, updated];
    });
    expect(changed).toEqual([2, 0]);
    expect(await client.$queryRawUnsafe('select id, name from items order by id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
  });

  it('rolls every statement back when the function throws', async () => {
    const client = directTransactions(db);
    await expect(
      client.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('insert into items (id, name) values ($1, $2)', 10, 'x');
        await tx.$executeRawUnsafe('insert into items (id, name) values ($1, $2)', 1, 'duplicate');
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await client.$queryRawUnsafe('select count(*)::int as n from items where id = 10')).toEqual([
      { n: 0 },
    ]);
  });
});
