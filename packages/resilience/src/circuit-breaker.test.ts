import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError, type CircuitBreakerOptions } from './circuit-breaker.js';

/** The breaker's clock, moved by hand: nothing here sleeps. */
class Clock {
  now = 1_000_000;
  advance(ms: number) {
    this.now += ms;
  }
}

const fail = () => Promise.reject(new Error('dependency down'));
const succeed = () => Promise.resolve('ok');

/** Seed 003's numbers: 5 failures within 60 s open the circuit for 30 s. */
function breaker(clock: Clock, options: Partial<CircuitBreakerOptions> = {}) {
  return new CircuitBreaker({
    failureThreshold: 5,
    windowMs: 60_000,
    openMs: 30_000,
    now: () => clock.now,
    ...options,
  });
}

async function failTimes(circuit: CircuitBreaker, times: number, clock?: Clock, spacingMs = 0, key?: string) {
  for (let i = 0; i < times; i += 1) {
    await circuit.execute(fail, key).catch(() => undefined);
    clock?.advance(spacingMs);
  }
}

describe('circuit breaker (seed 003: 5 failures in 60 s open it for 30 s, then one trial)', () => {
  it('opens on the fifth failure within the window and refuses calls without making them', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    await failTimes(circuit, 4, clock, 1000);
    expect(circuit.state).toBe('CLOSED');
    expect(circuit.recentFailures).toBe(4);
    await failTimes(circuit, 1);
    expect(circuit.state).toBe('OPEN');
    let called = false;
    const refused = await circuit
      .execute(async () => {
        called = true;
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ retriable: true, retryAt: clock.now + 30_000 });
    expect(called).toBe(false);
  });

  it('counts every error as a failure when told nothing else', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    await circuit.execute(() => Promise.reject(new TypeError('anything'))).catch(() => undefined);
    expect(circuit.recentFailures).toBe(1);
  });

  it('counts the failures of one key once: one bad request retried cannot open it', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    await failTimes(circuit, 20, clock, 100, 'payment-1');
    expect(circuit.recentFailures).toBe(1);
    for (const key of ['payment-2', 'payment-3', 'payment-4']) await failTimes(circuit, 3, clock, 100, key);
    expect(circuit.state).toBe('CLOSED');
    await failTimes(circuit, 1, clock, 0, 'payment-5');
    expect(circuit.state).toBe('OPEN');
  });

  it('does not open for stray failures among a busy window of successful calls (under half of them failed)', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    // A minute at 3 calls/s where every seventh call fails once: 26 failures, 154 successes.
    for (let i = 0; i < 180; i += 1) {
      await circuit.execute(i % 7 === 0 ? fail : succeed).catch(() => undefined);
      clock.advance(333);
    }
    expect(circuit.state).toBe('CLOSED');
    expect(circuit.recentFailures).toBeGreaterThanOrEqual(5);
  });

  it('opens when most of the window failed, however busy it was', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    for (let i = 0; i < 20; i += 1) await circuit.execute(succeed);
    // The dependency goes down: failures pile up until they are half the window's calls.
    await failTimes(circuit, 19, clock, 100);
    expect(circuit.state).toBe('CLOSED');
    await failTimes(circuit, 1);
    expect(circuit.state).toBe('OPEN');
  });

  it('takes the failure rate it is given', async () => {
    const clock = new Clock();
    const anyRate = breaker(clock, { minFailureRate: 0 });
    for (let i = 0; i < 100; i += 1) await anyRate.execute(succeed);
    await failTimes(anyRate, 5);
    expect(anyRate.state).toBe('OPEN');

    const allFailed = breaker(clock, { minFailureRate: 1 });
    await allFailed.execute(succeed);
    await failTimes(allFailed, 10);
    expect(allFailed.state).toBe('CLOSED');
  });

  it('does not open for failures spread over more than the window', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    await failTimes(circuit, 10, clock, 15_001);
    expect(circuit.state).toBe('CLOSED');
    expect(circuit.recentFailures).toBeLessThan(5);
  });

  it('lets one trial through after 30 s: success closes it', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    await failTimes(circuit, 5);
    clock.advance(29_999);
    expect(circuit.state).toBe('OPEN');
    clock.advance(1);
    expect(circuit.state).toBe('HALF_OPEN');

    let release!: () => void;
    const trial = circuit.execute(() => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    // While the trial is in flight, other calls are refused.
    await expect(circuit.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).resolves.toBe('ok');
    expect(circuit.state).toBe('CLOSED');
    expect(circuit.recentFailures).toBe(0);
    await expect(circuit.execute(succeed)).resolves.toBe('ok');
  });

  it('opens again for another 30 s when the trial fails', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    await failTimes(circuit, 5);
    clock.advance(30_000);
    await expect(circuit.execute(fail)).rejects.toThrow('dependency down');
    expect(circuit.state).toBe('OPEN');
    clock.advance(29_000);
    expect(circuit.state).toBe('OPEN');
    clock.advance(1_000);
    expect(circuit.state).toBe('HALF_OPEN');
  });

  it('does not count errors that say nothing about the dependency health', async () => {
    const clock = new Clock();
    const declined = new Error('declined');
    const circuit = breaker(clock, { isFailure: (error) => error !== declined });
    for (let i = 0; i < 10; i += 1)
      await circuit.execute(() => Promise.reject(declined)).catch(() => undefined);
    expect(circuit.state).toBe('CLOSED');
    expect(circuit.recentFailures).toBe(0);
  });

  it('closes when the trial is answered with an error that is not a failure (the dependency answered)', async () => {
    const clock = new Clock();
    const declined = new Error('declined');
    const circuit = breaker(clock, { isFailure: (error) => error !== declined });
    await failTimes(circuit, 5);
    clock.advance(30_000);
    await expect(circuit.execute(() => Promise.reject(declined))).rejects.toBe(declined);
    expect(circuit.state).toBe('CLOSED');
  });

  it('reports state changes', async () => {
    const clock = new Clock();
    const changes: string[] = [];
    const circuit = breaker(clock, {
      failureThreshold: 2,
      windowMs: 1000,
      openMs: 500,
      onStateChange: (from, to) => changes.push(`${from}->${to}`),
    });
    await failTimes(circuit, 2);
    clock.advance(500);
    await circuit.execute(fail).catch(() => undefined);
    clock.advance(500);
    await circuit.execute(succeed);
    expect(changes).toEqual([
      'CLOSED->OPEN',
      'OPEN->HALF_OPEN',
      'HALF_OPEN->OPEN',
      'OPEN->HALF_OPEN',
      'HALF_OPEN->CLOSED',
    ]);
  });
});
