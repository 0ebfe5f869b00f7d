import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker.js';

class Clock {
  now = 1_000_000;
  advance(ms: number) {
    this.now += ms;
  }
}

const fail = () => Promise.reject(new Error('provider down'));
const succeed = () => Promise.resolve('ok');

function breaker(clock: Clock, isFailure?: (error: unknown) => boolean) {
  return new CircuitBreaker({
    failureThreshold: 5,
    windowMs: 60_000,
    openMs: 30_000,
    now: () => clock.now,
    ...(isFailure ? { isFailure } : {}),
  });
}

async function failTimes(circuit: CircuitBreaker, times: number, clock?: Clock, spacingMs = 0) {
  for (let i = 0; i < times; i += 1) {
    await circuit.execute(fail).catch(() => undefined);
    clock?.advance(spacingMs);
  }
}

describe('circuit breaker (seed 003: 5 failures in 60 s open it for 30 s, then one trial)', () => {
  it('opens on the fifth failure within the window and refuses calls without making them', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    await failTimes(circuit, 4, clock, 1000);
    expect(circuit.state).toBe('CLOSED');
    await failTimes(circuit, 1);
    expect(circuit.state).toBe('OPEN');
    let called = false;
    await expect(
      circuit.execute(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
  });

  it('does not open for stray failures among a busy window of successful calls (under half of them failed)', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    // A minute at 3 payments/s where every seventh call fails once: 26 failures, 154 successes.
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
    // The provider goes down: failures pile up until they are half the window's calls.
    await failTimes(circuit, 19, clock, 100);
    expect(circuit.state).toBe('CLOSED');
    await failTimes(circuit, 1);
    expect(circuit.state).toBe('OPEN');
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
    await expect(circuit.execute(succeed)).resolves.toBe('ok');
  });

  it('opens again for another 30 s when the trial fails', async () => {
    const clock = new Clock();
    const circuit = breaker(clock);
    await failTimes(circuit, 5);
    clock.advance(30_000);
    await expect(circuit.execute(fail)).rejects.toThrow('provider down');
    expect(circuit.state).toBe('OPEN');
    clock.advance(29_000);
    expect(circuit.state).toBe('OPEN');
    clock.advance(1_000);
    expect(circuit.state).toBe('HALF_OPEN');
  });

  it('does not count errors that say nothing about the provider health', async () => {
    const clock = new Clock();
    const declined = new Error('declined');
    const circuit = breaker(clock, (error) => error !== declined);
    for (let i = 0; i < 10; i += 1)
      await circuit.execute(() => Promise.reject(declined)).catch(() => undefined);
    expect(circuit.state).toBe('CLOSED');
    expect(circuit.recentFailures).toBe(0);
  });

  it('reports state changes', async () => {
    const clock = new Clock();
    const changes: string[] = [];
    const circuit = new CircuitBreaker({
      failureThreshold: 2,
      windowMs: 1000,
      openMs: 500,
      now: () => clock.now,
      onStateChange: (from, to) => changes.push(`${from}->${to}`),
    });
    await failTimes(circuit, 2);
    clock.advance(500);
    await circuit.execute(succeed);
    expect(changes).toEqual(['CLOSED->OPEN', 'OPEN->HALF_OPEN', 'HALF_OPEN->CLOSED']);
  });
});
