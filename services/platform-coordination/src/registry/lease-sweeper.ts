import type { BackgroundTask } from '@fv/service-runtime';
import type { Logger } from 'pino';
import type { RegistryService, SweepResult } from './registry-service.js';

/**
 * Runs the registry's lease sweep on an interval. Leases are judged only from the moment this process
 * started watching them, and again from scratch after a pause of the process (a stalled event loop, a
 * suspended VM) or a stretch where the database could not be reached: in both cases the registry,
 * not the instances, missed the heartbeats.
 */
export class LeaseSweeper implements BackgroundTask {
  readonly name = 'lease sweeper';
  private timer: NodeJS.Timeout | null = null;
  private clockStart = new Date();
  private lastSweepAt: number | null = null;
  private running: Promise<unknown> | null = null;
  private failing = false;

  constructor(
    private readonly registry: RegistryService,
    private readonly options: { intervalMs: number; logger: Logger; clock?: () => Date },
  ) {}

  start(): void {
    if (this.timer) return;
    this.clockStart = this.now();
    this.lastSweepAt = null;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One sweep now (tests and the interval both use it). */
  async sweepOnce(): Promise<SweepResult> {
    const now = this.now();
    if (this.lastSweepAt !== null && now.getTime() - this.lastSweepAt > 2 * this.options.intervalMs + 1000) {
      this.options.logger.warn(
        { pausedMs: now.getTime() - this.lastSweepAt },
        'lease sweeps were interrupted; judging leases afresh from now',
      );
      this.clockStart = now;
    }
    this.lastSweepAt = now.getTime();
    const result = await this.registry.sweep(this.clockStart, now);
    if (result.selfPreservation) {
      this.options.logger.warn(
        { total: result.total, renewing: result.renewing },
        'self-preservation: too few instances renew their lease; expiry paused',
      );
    } else if (result.expired.length || result.removed.length) {
      this.options.logger.info({ expired: result.expired, removed: result.removed }, 'leases expired');
    }
    return result;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sweepOnce()
      .then(() => {
        if (this.failing) this.options.logger.info('lease sweeps recovered');
        this.failing = false;
      })
      .catch((error) => {
        if (!this.failing) this.options.logger.warn({ err: error }, 'lease sweep failed; retrying');
        this.failing = true;
        // Heartbeats could not be recorded meanwhile either: judge leases afresh once the database is back.
        this.lastSweepAt = null;
        this.clockStart = this.now();
      })
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
