import { describe, expect, it } from 'vitest';
import { DlqUsageError, parseDlqCommand } from './dlq-command.js';

/** The API request a command line stands for. */
function requestOf(argv: string[]) {
  const command = parseDlqCommand(argv);
  if (command.kind === 'help') throw new Error('help has no request');
  return command.request;
}
import { formatError, formatList, table } from './dlq-format.js';

const id = '5f0c6b8e-4a51-4d6e-9d84-1f6f2b9c7a10';

describe('parseDlqCommand', () => {
  it('turns list filters into the query of GET /dlq', () => {
    expect(
      parseDlqCommand(['list', '--topic', 'order-created-events', '--status', 'pending', '--size', '5']),
    ).toEqual({
      kind: 'list',
      request: { method: 'GET', path: '/dlq?topic=order-created-events&status=PENDING&size=5' },
      json: false,
    });
    expect(requestOf(['list', '--order', 'ord-1', '--error', 'X', '--json'])).toEqual({
      method: 'GET',
      path: '/dlq?orderId=ord-1&errorCode=X',
    });
  });

  it('knows show, replay of one, of an order, of an error, and discard', () => {
    expect(requestOf(['show', id])).toEqual({ method: 'GET', path: `/dlq/${id}` });
    expect(requestOf(['replay', id.toUpperCase()])).toEqual({
      method: 'POST',
      path: `/dlq/${id}/replay`,
    });
    expect(requestOf(['replay', '--order', id])).toEqual({
      method: 'POST',
      path: '/dlq/replay',
      body: { orderId: id },
    });
    expect(requestOf(['replay', '--error', 'UNDECODABLE_MESSAGE', '--limit', '50'])).toEqual({
      method: 'POST',
      path: '/dlq/replay',
      body: { errorCode: 'UNDECODABLE_MESSAGE', limit: 50 },
    });
    expect(parseDlqCommand(['discard', id, '--reason', ' test data ', '--as', 'ada'])).toEqual({
      kind: 'discard',
      request: { method: 'POST', path: `/dlq/${id}/discard`, body: { reason: 'test data' } },
      json: false,
      as: 'ada',
    });
    expect(parseDlqCommand([])).toEqual({ kind: 'help' });
  });

  it('refuses what it cannot run, saying why', () => {
    const refused = (argv: string[]) => {
      try {
        parseDlqCommand(argv);
      } catch (error) {
        expect(error).toBeInstanceOf(DlqUsageError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(refused(['discard', id])).toContain('--reason');
    expect(refused(['replay'])).toContain('--order <id> or --error <code>');
    expect(refused(['show', 'not-an-id'])).toContain('not a dead-letter id');
    expect(refused(['show'])).toContain('exactly one');
    expect(refused(['replay', id, '--order', id])).toContain('does not take --order');
    expect(refused(['list', '--bogus'])).toContain('bogus');
    expect(refused(['purge'])).toContain('unknown command');
    expect(refused(['replay', '--error', 'X', '--limit', '0'])).toContain('--limit');
  });
});

describe('formatting', () => {
  it('aligns columns and shortens long cells', () => {
    const text = table(
      [
        { title: 'A', value: (row) => row.a },
        { title: 'B', value: (row) => row.b, max: 5 },
      ],
      [
        { a: 'long value', b: 'abcdefgh' },
        { a: null, b: 'x' },
      ],
    );
    expect(text.split('\n')).toEqual(['A           B', 'long value  abcd…', '-           x']);
  });

  it('says so when nothing matches, and renders the error envelope', () => {
    expect(
      formatList({ deadLetters: [], pagination: { page: 0, size: 20, totalElements: 0, totalPages: 0 } }),
    ).toBe('No dead letters match (page 1, 0 in all).');
    expect(
      formatError(409, {
        error: { code: 'CONFLICT', message: 'Dead letter x is REPLAYED already', details: {} },
      }),
    ).toBe('CONFLICT (HTTP 409): Dead letter x is REPLAYED already');
  });
});
