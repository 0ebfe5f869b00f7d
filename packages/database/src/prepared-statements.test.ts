import { describe, expect, it } from 'vitest';
import { preparedStatements } from './open-database.js';

describe('preparedStatements', () => {
  it('names a statement with parameters by its text, the same name each time', () => {
    const statement = preparedStatements(true);
    const first = statement('select * from orders where id = $1', ['a']);
    const again = statement('select * from orders where id = $1', ['b']);
    const other = statement('select * from orders where status = $1', ['PENDING']);
    expect(first.name).toMatch(/^fv_[0-9a-f]{24}$/);
    expect(again).toEqual({ name: first.name, text: first.text, values: ['b'] });
    expect(other.name).not.toBe(first.name);
  });

  it('leaves statements without parameters unnamed, and everything when turned off', () => {
    expect(preparedStatements(true)('select 1', [])).toEqual({ text: 'select 1', values: [] });
    expect(preparedStatements(false)('select $1::int', [1])).toEqual({ text: 'select $1::int', values: [1] });
  });

  it('prepares 500 distinct texts at most; later ones run unnamed, earlier ones keep their names', () => {
    const statement = preparedStatements(true);
    const names = Array.from({ length: 500 }, (_, i) => statement(`select $1::int + ${i}`, [1]).name);
    expect(new Set(names).size).toBe(500);
    expect(statement('select $1::int + 500', [1]).name).toBeUndefined();
    expect(statement('select $1::int + 7', [1]).name).toBe(names[7]);
  });
});
