import { describe, expect, it } from 'vitest';
import { signToken } from './auth.js';
import { createLogger, followLevel, lazyChild, REDACTED, redactSensitive, withContext } from './logger.js';
import { buildTestApp, LogCapture, TEST_SECRET } from './test-support/test-app.js';

function captureLogger(level: 'info' | 'debug' = 'info') {
  const logs = new LogCapture();
  const logger = createLogger({ service: 'orders', version: '2.0.0', level, destination: logs });
  return { logs, logger };
}

describe('createLogger', () => {
  it('writes JSON lines carrying the service and version', () => {
    const { logs, logger } = captureLogger();
    logger.info({ orderId: 'ord-1' }, 'order placed');
    expect(logs.lines).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'orders',
        version: '2.0.0',
        orderId: 'ord-1',
        msg: 'order placed',
      }),
    ]);
    expect(Number.isNaN(Date.parse(String(logs.lines[0]?.time)))).toBe(false);
  });

  it('redacts secrets at any depth up to four levels', () => {
    const { logs, logger } = captureLogger();
    logger.info(
      {
        password: 'top-level-password',
        user: { password: 'nested-password', name: 'Ada' },
        payment: { method: { card: { cardNumber: '4242424242424242', cvv: '123' } } },
        request: {
          headers: {
            authorization: 'Bearer abc.def.ghi',
            cookie: 'session=s3cr3t',
            'x-publishable-api-key': 'pk_storefront_key',
          },
        },
        credentials: { apiKey: 'key-123', token: 'tok_visa_4242', secret: 'shh' },
      },
      'sensitive',
    );
    const text = logs.text;
    for (const value of [
      'top-level-password',
      'nested-password',
      'pk_storefront_key',
      '4242424242424242',
      '"123"',
      'abc.def.ghi',
      'session=s3cr3t',
      'key-123',
      'tok_visa_4242',
      'shh',
    ]) {
      expect(text).not.toContain(value);
    }
    expect(text).toContain('Ada');
    expect(logs.lines[0]).toMatchObject({
      user: { password: REDACTED, name: 'Ada' },
      payment: { method: { card: { cardNumber: REDACTED, cvv: REDACTED } } },
      request: { headers: { authorization: REDACTED, cookie: REDACTED } },
    });
  });

  it("redacts errors' own fields and child bindings, and never changes the logged object", () => {
    const { logs, logger } = captureLogger();
    const failure = Object.assign(new Error('provider refused'), {
      config: { headers: { Authorization: 'Bearer leaked-in-error' } },
    });
    const logged = { attempt: 2, request: { headers: { authorization: 'Bearer kept-by-caller' } } };
    logger.child({ token: 'child-token', component: 'gateway' }).error({ err: failure, ...logged }, 'failed');
    expect(logs.text).not.toContain('leaked-in-error');
    expect(logs.text).not.toContain('child-token');
    expect(logs.text).not.toContain('kept-by-caller');
    expect(logs.lines[0]).toMatchObject({
      component: 'gateway',
      token: REDACTED,
      err: { message: 'provider refused', config: { headers: { Authorization: REDACTED } } },
      attempt: 2,
    });
    expect(logged.request.headers.authorization).toBe('Bearer kept-by-caller');
  });

  it('leaves objects without secrets as they are, and stops below four levels', () => {
    const plain = { a: 1, b: { c: [1, 2, { d: 'x' }] } };
    expect(redactSensitive(plain)).toBe(plain);
    const deep = { l1: { l2: { l3: { l4: { password: 'at depth 4' } } } } };
    expect(redactSensitive(deep)).toEqual({ l1: { l2: { l3: { l4: { password: REDACTED } } } } });
    const deeper = { l1: { l2: { l3: { l4: { l5: { password: 'at depth 5' } } } } } };
    expect(redactSensitive(deeper)).toBe(deeper);
    expect(redactSensitive([{ cvv: '123' }])).toEqual([{ cvv: REDACTED }]);
  });

  it('binds correlation and trace ids with withContext, skipping absent ones', () => {
    const { logs, logger } = captureLogger();
    withContext(logger, { correlationId: 'ord-7', traceId: 'abc', eventId: undefined }).info('consumed');
    expect(logs.lines[0]).toMatchObject({ correlationId: 'ord-7', traceId: 'abc', msg: 'consumed' });
    expect(logs.lines[0]).not.toHaveProperty('eventId');
  });

  it('keeps a follower at the level of its source', () => {
    const { logs, logger } = captureLogger();
    const child = logger.child({ component: 'relay' });
    const stop = followLevel(logger, child);
    child.debug('hidden');
    logger.level = 'debug';
    child.debug('shown');
    stop();
    logger.level = 'warn';
    child.debug('still shown after unfollowing');
    expect(logs.lines.map((line) => line.msg)).toEqual(['shown', 'still shown after unfollowing']);
  });
});

describe('request logging', () => {
  it('never writes the Authorization header or a password field of a request', async () => {
    const { app, logs } = await buildTestApp();
    await app.register(
      async (api) => {
        api.post('/sessions', async (request) => {
          request.log.info({ headers: request.headers, body: request.body }, 'login attempt');
          return { ok: true };
        });
      },
      { prefix: '/api/v1' },
    );
    const token = signToken(TEST_SECRET, { sub: 'cust-1', roles: ['customer'], expiresIn: 60 });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-42' },
      payload: { email: 'ada@example.com', password: 'correct horse battery staple' },
    });
    await app.close();

    expect(response.statusCode).toBe(200);
    expect(logs.text).not.toContain(token);
    expect(logs.text).not.toContain('correct horse battery staple');
    const attempt = logs.lines.find((line) => line.msg === 'login attempt');
    expect(attempt).toMatchObject({
      service: 'test-service',
      version: '1.2.3',
      correlationId: 'corr-42',
      traceId: response.headers['x-trace-id'],
      headers: { authorization: REDACTED },
      body: { email: 'ada@example.com', password: REDACTED },
    });
    const completed = logs.lines.find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({
      correlationId: 'corr-42',
      traceId: response.headers['x-trace-id'],
      route: '/api/v1/sessions',
      statusCode: 200,
    });
  });

  it('follows a level change made on the service logger', async () => {
    const { app, logs, logger } = await buildTestApp({ level: 'info' });
    await app.register(
      async (api) => {
        api.get('/debuggable', { config: { public: true } }, async (request) => {
          request.log.debug('detail');
          return {};
        });
      },
      { prefix: '/api/v1' },
    );
    await app.inject({ method: 'GET', url: '/api/v1/debuggable' });
    logger.level = 'debug';
    await app.inject({ method: 'GET', url: '/api/v1/debuggable' });
    await app.close();
    expect(logs.lines.filter((line) => line.msg === 'detail')).toHaveLength(1);
  });
});

describe('lazyChild', () => {
  it('logs with the bindings, redacted like any child', () => {
    const { logs, logger } = captureLogger();
    const child = lazyChild(logger, { eventId: 'evt-1', token: 'secret-token' });
    child.info({ step: 'reserve' }, 'handled');
    child.warn('slow');
    expect(logs.lines).toEqual([
      expect.objectContaining({ eventId: 'evt-1', token: REDACTED, step: 'reserve', msg: 'handled' }),
      expect.objectContaining({ eventId: 'evt-1', level: 'warn', msg: 'slow' }),
    ]);
  });

  it('makes no child while nothing is logged, nor for a level that is off', () => {
    const { logs, logger } = captureLogger('info');
    let made = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...args: Parameters<typeof logger.child>) => {
      made += 1;
      return child(...args);
    }) as typeof logger.child;
    const lazy = lazyChild(logger, { eventId: 'evt-2' });
    lazy.debug('not written');
    expect(made).toBe(0);
    expect(lazy.isLevelEnabled('debug')).toBe(false);
    expect(lazy.level).toBe('info');
    expect(made).toBe(0);
    lazy.error('written');
    lazy.error('written again');
    expect(made).toBe(1);
    expect(logs.lines).toHaveLength(2);
  });

  it('hands out the same bound method each time, and the new one once the level changes it', () => {
    const { logs, logger } = captureLogger('info');
    const lazy = lazyChild(logger, { eventId: 'evt-4' });
    lazy.info('made');
    expect(lazy.info).toBe(lazy.info);
    const debugWhileOff = lazy.debug;
    lazy.level = 'debug';
    expect(lazy.debug).not.toBe(debugWhileOff);
    lazy.debug('now written');
    expect(logs.lines.map((line) => line.msg)).toEqual(['made', 'now written']);
  });

  it('is a logger like any other: children of its own, its level', () => {
    const { logs, logger } = captureLogger('debug');
    const lazy = lazyChild(logger, { eventId: 'evt-3' });
    expect(lazy.level).toBe('debug');
    lazy.child({ component: 'store' }).debug('deeper');
    expect(logs.lines).toEqual([
      expect.objectContaining({ eventId: 'evt-3', component: 'store', msg: 'deeper' }),
    ]);
  });
});
