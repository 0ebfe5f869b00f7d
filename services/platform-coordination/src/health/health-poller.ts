import { performance } from 'node:perf_hooks';
import type { BackgroundTask } from '@fv/service-runtime';
import type { Logger } from 'pino';
import { allForProbing, type ProbeRecord } from '../registry/instance-store.js';
import { classifyProbe } from '../registry/domain/instance-status.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { OutboundPolicy } from '../net/outbound-policy.js';
import { outboundRequest } from '../net/outbound-request.js';
import type { RegistryService } from '../registry/registry-service.js';

export interface HealthPollerOptions {
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  historySize: number;
  logger: Logger;
  /** Which health URLs may be called, checked again at each probe (DNS answers change). */
  outbound: OutboundPolicy;
}

/**
 * Requests a health URL once, if the outbound policy admits it: 2xx passing, 429 warning, anything else,
 * no answer in time or a refused URL critical.
 */
export async function probe(url: string, timeoutMs: number, outbound: OutboundPolicy): Promise<ProbeRecord> {
  const started = performance.now();
  const checkedAt = new Date().toISOString();
  try {
    const response = await outboundRequest(outbound, url, {
      timeoutMs,
      headers: { accept: 'application/json', 'user-agent': 'platform-coordination-health-aggregator' },
    });
    const responseTimeMs = Math.round(performance.now() - started);
    return {
      checkedAt,
      status: classifyProbe({ httpStatus: response.status, timedOut: false }),
      httpStatus: response.status,
      responseTimeMs,
      error: null,
    };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      checkedAt,
      status: 'critical',
      httpStatus: null,
      responseTimeMs: Math.round(performance.now() - started),
      error: timedOut
        ? `no answer within ${timeoutMs} ms`
        : ((error as { code?: string }).code ?? cause?.code ?? cause?.message ?? (error as Error).message),
    };
  }
}

/**
 * The health aggregator: polls every registered instance's health URL on an interval, with a timeout
 * and a bound on probes in flight, and records each result (status changes publish
 * ServiceHealthChanged through the registry).
 */
export class HealthPoller implements BackgroundTask {
  readonly name = 'health poller';
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private round: Promise<unknown> | null = null;
  private failing = false;
  private closing = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly registry: RegistryService,
    private readonly options: HealthPollerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.closing = false;
    this.schedule(0);
  }

  /** Probes every registered instance once and records the results. */
  async pollOnce(): Promise<{ probed: number; changed: number }> {
    const instances = await allForProbing(this.prisma);
    let next = 0;
    let changed = 0;
    const worker = async () => {
      while (next < instances.length && !this.closing) {
        const instance = instances[next++]!;
        const result = await probe(instance.healthUrl, this.options.timeoutMs, this.options.outbound);
        const transition = await this.registry.applyProbe(instance.id, result, this.options.historySize);
        if (transition && transition.previous !== transition.status) changed += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, instances.length) }, worker));
    return { probed: instances.length, changed };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.round = this.pollOnce()
        .then(() => {
          if (this.failing) this.options.logger.info('health polling recovered');
          this.failing = false;
        })
        .catch((error) => {
          if (!this.failing)
            this.options.logger.warn({ err: error }, 'health polling round failed; retrying');
          this.failing = true;
        })
        .finally(() => {
          this.round = null;
          this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round;
  }
}
