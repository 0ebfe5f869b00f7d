import { CoordinationClient, CoordinationError } from '@firstviscount/coordination-sdk';
import { signServiceToken, type ServiceCredentials } from '@fv/service-kit';
import type { Logger } from 'pino';

export interface RegistrationOptions {
  coordinationUrl: string;
  /** This service's identity; its tokens name `name` as their subject. */
  credentials: ServiceCredentials;
  name: string;
  version: string;
  host: string;
  port: number;
  tags?: string[];
  zone?: string;
  logger: Logger;
  /** Used until the coordination service says otherwise (default 10 s). */
  heartbeatIntervalMs?: number;
  /** Delay between registration attempts while the coordination service is unreachable (default 5 s). */
  retryIntervalMs?: number;
  requestTimeoutMs?: number;
}

export interface RegistrationState {
  instanceId: string | null;
  registered: boolean;
  lastError: string | null;
}

/**
 * Keeps this instance registered with the platform coordination service: registers at start (and keeps
 * trying while the coordination service is down — the service itself serves meanwhile), heartbeats at
 * the interval the registry asks for, registers again when the registry no longer knows the instance
 * (it was expired), and deregisters on close. It speaks to the registry through the platform's own
 * client, `@firstviscount/coordination-sdk`, with the SDK's retries off: this loop is the retry.
 */
export class ServiceRegistration {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private intervalMs: number;
  private readonly state: RegistrationState = { instanceId: null, registered: false, lastError: null };
  private token: { value: string; expiresAt: number } | null = null;
  private readonly client: CoordinationClient;

  constructor(private readonly options: RegistrationOptions) {
    this.intervalMs = options.heartbeatIntervalMs ?? 10_000;
    this.client = new CoordinationClient({
      baseUrl: new URL('/api/v1', options.coordinationUrl).toString(),
      apiKey: () => this.bearer(),
      timeoutMs: options.requestTimeoutMs ?? 3000,
      retry: { maxRetries: 0 },
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.tick();
  }

  status(): RegistrationState {
    return { ...this.state };
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const id = this.state.instanceId;
    if (!id || !this.state.registered) return;
    try {
      await this.client.services.deregister(id);
      this.options.logger.info({ instanceId: id }, 'deregistered from the coordination service');
    } catch (error) {
      this.options.logger.warn(
        { err: error },
        'could not deregister; the registry will expire this instance',
      );
    }
    this.state.registered = false;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.state.registered && this.state.instanceId) {
        try {
          await this.client.services.heartbeat(this.state.instanceId);
        } catch (error) {
          if (!(error instanceof CoordinationError) || error.status !== 404) throw error;
          this.options.logger.warn(
            { instanceId: this.state.instanceId },
            'the registry no longer knows this instance; registering again',
          );
          this.state.registered = false;
          return this.tick();
        }
        this.state.lastError = null;
        this.schedule(this.intervalMs);
        return;
      }
      await this.register();
      this.schedule(this.intervalMs);
    } catch (error) {
      const message = (error as Error).message;
      if (this.state.lastError !== message) {
        this.options.logger.warn({ err: error }, 'coordination service unreachable; retrying registration');
      }
      this.state.lastError = message;
      this.state.registered = false;
      this.schedule(this.state.instanceId ? Math.min(this.intervalMs, this.retryMs) : this.retryMs);
    }
  }

  private get retryMs(): number {
    return this.options.retryIntervalMs ?? 5000;
  }

  private async register(): Promise<void> {
    const { name, version, host, port } = this.options;
    const registration = await this.client.services.register({
      name,
      version,
      host,
      port,
      healthUrl: `http://${host}:${port}/health`,
      metadata: { tags: this.options.tags ?? [], ...(this.options.zone ? { zone: this.options.zone } : {}) },
    });
    if (!registration.instanceId)
      throw new Error('the registry answered a registration without an instanceId');
    this.state.instanceId = registration.instanceId;
    this.state.registered = true;
    this.state.lastError = null;
    if (registration.heartbeatIntervalSeconds && registration.heartbeatIntervalSeconds > 0)
      this.intervalMs = registration.heartbeatIntervalSeconds * 1000;
    this.options.logger.info(
      { instanceId: registration.instanceId, heartbeatMs: this.intervalMs },
      'registered with the coordination service',
    );
  }

  private bearer(): string {
    const now = Date.now();
    if (!this.token || this.token.expiresAt - now < 60_000) {
      this.token = {
        value: signServiceToken({ ...this.options.credentials, name: this.options.name }, 3600),
        expiresAt: now + 3600_000,
      };
    }
    return this.token.value;
  }
}
