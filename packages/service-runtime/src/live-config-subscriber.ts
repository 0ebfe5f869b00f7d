import { topicOf, type ConfigurationUpdated } from '@fv/contracts';
import { ensureTopics, isInfrastructureError, type EventCodec } from '@fv/messaging';
import {
  serviceCredentials,
  signServiceToken,
  type IdentityConfig,
  type LiveConfig,
  type LiveConfigValues,
  type ServiceCredentials,
} from '@fv/service-kit';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { PLATFORM_DEFAULTS_SERVICE, expandDottedKeys, type ConfigEntries } from './live-config-keys.js';
import type { BackgroundTask, RuntimeConfig } from './service-runtime.js';

/** The effective configuration of a service as the coordination service serves it. */
export interface EffectiveConfiguration {
  version: number;
  properties: ConfigEntries;
}

/** Where the subscriber reads the effective configuration from. */
export type ConfigurationSource = (
  service: string,
  profile: string | null,
) => Promise<EffectiveConfiguration>;

/** What the subscriber needs of a service's runtime context (`ServiceContext` satisfies it). */
export interface LiveConfigContext {
  config: Pick<RuntimeConfig, 'SERVICE_NAME' | 'COORDINATION_URL' | 'HOST' | 'PORT' | 'ADVERTISED_HOST'> &
    IdentityConfig;
  logger: Logger;
  kafka: Kafka;
  codec: EventCodec;
  liveConfig: LiveConfig<LiveConfigValues>;
}

export interface LiveConfigSubscriberOptions {
  /** Service whose configuration applies (default SERVICE_NAME). */
  service?: string;
  /** Profile of this instance's configuration, if any. */
  profile?: string | null;
  /** Default: `GET {COORDINATION_URL}/api/v1/config/{service}?profile=` with a service token. */
  source?: ConfigurationSource;
  /** Default: one group per instance, so every instance receives every update. */
  groupId?: string;
  /** Delay between attempts while the source or the broker is unreachable (default 5 s). */
  retryIntervalMs?: number;
  requestTimeoutMs?: number;
}

/** Reads the effective configuration from the coordination service's API. */
export function httpConfigurationSource(options: {
  coordinationUrl: string;
  credentials: ServiceCredentials;
  subject: string;
  timeoutMs?: number;
}): ConfigurationSource {
  let token: { value: string; expiresAt: number } | null = null;
  return async (service, profile) => {
    const now = Date.now();
    if (!token || token.expiresAt - now < 60_000) {
      token = {
        value: signServiceToken({ ...options.credentials, name: options.subject }, 3600),
        expiresAt: now + 3_600_000,
      };
    }
    const url = new URL(`/api/v1/config/${encodeURIComponent(service)}`, options.coordinationUrl);
    if (profile) url.searchParams.set('profile', profile);
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token.value}`, accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
    });
    if (!response.ok) throw new Error(`configuration request answered ${response.status}`);
    const body = (await response.json()) as { version: number; properties: ConfigEntries };
    return { version: body.version, properties: body.properties };
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The update that makes the live values match `properties`: each live key takes the configured value,
 * or its start-up value when the configuration no longer sets it. A boolean in a map (a feature flag)
 * that neither sets is switched off.
 */
export function liveUpdateFor(
  properties: ConfigEntries,
  initial: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const configured = expandDottedKeys(properties);
  const update: Record<string, unknown> = {};
  for (const key of Object.keys(current)) {
    const base = initial[key];
    const value = configured[key];
    if (isPlainObject(base) || isPlainObject(current[key])) {
      const merged: Record<string, unknown> = {
        ...(isPlainObject(base) ? base : {}),
        ...(isPlainObject(value) ? value : {}),
      };
      const now = current[key];
      if (isPlainObject(now)) {
        for (const [name, previous] of Object.entries(now))
          if (!(name in merged) && typeof previous === 'boolean') merged[name] = false;
      }
      update[key] = merged;
    } else {
      update[key] = value === undefined ? base : value;
    }
  }
  return update;
}

/**
 * Applies a service's live configuration keys (log level, feature flags, retry settings, and any keys
 * the service declares) while it runs. It reads the effective configuration at start (retrying until
 * the coordination service answers) and again whenever a ConfigurationUpdated event concerns this
 * service, its profile or the platform defaults. Reading the merged result, instead of replaying the
 * event's changes, keeps the precedence of defaults, service and profile in one place and makes a
 * missed or reordered event harmless.
 */
export class LiveConfigSubscriber implements BackgroundTask {
  readonly name = 'live configuration';
  private readonly service: string;
  private readonly profile: string | null;
  private readonly source: ConfigurationSource;
  private readonly consumer: Consumer;
  private readonly initial: Readonly<Record<string, unknown>>;
  private readonly logger: Logger;
  private appliedVersion = -1;
  private stopped = true;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private consuming = false;
  private joined = false;
  private lastError: string | null = null;

  constructor(
    private readonly context: LiveConfigContext,
    private readonly options: LiveConfigSubscriberOptions = {},
  ) {
    const { config } = context;
    this.service = options.service ?? config.SERVICE_NAME;
    this.profile = options.profile ?? null;
    this.logger = context.logger.child({ component: 'live-config' });
    this.source =
      options.source ??
      httpConfigurationSource({
        coordinationUrl: config.COORDINATION_URL,
        credentials: serviceCredentials(config),
        subject: this.service,
        ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
      });
    this.initial = { ...context.liveConfig.get() };
    const instance = `${config.ADVERTISED_HOST ?? config.HOST}-${config.PORT}`.replace(
      /[^A-Za-z0-9._-]/g,
      '_',
    );
    this.consumer = context.kafka.consumer({
      groupId: options.groupId ?? `${config.SERVICE_NAME}.live-config.${instance}`,
      allowAutoTopicCreation: true,
    });
    // Updates published before the group was joined are not delivered: read the configuration again once joined.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      void this.reload();
    });
  }

  /** The effective configuration version last applied (-1 before the first). */
  get version(): number {
    return this.appliedVersion;
  }

  /** Whether updates are being received (the consumer joined its group), the version applied, the last failure. */
  get status(): { version: number; receiving: boolean; lastError: string | null } {
    return {
      version: this.appliedVersion,
      receiving: this.consuming && this.joined,
      lastError: this.lastError,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.reload();
    void this.subscribe();
  }

  /** Reads the effective configuration and applies it; concurrent calls coalesce into one more read. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.reloadOnce();
      } while (this.reloadAgain && !this.stopped);
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private async reloadOnce(): Promise<void> {
    let effective: EffectiveConfiguration;
    try {
      effective = await this.source(this.service, this.profile);
    } catch (error) {
      this.fail('reading the configuration failed; retrying', error, () => void this.reload());
      return;
    }
    this.lastError = null;
    if (effective.version < this.appliedVersion) return;
    const update = liveUpdateFor(effective.properties, this.initial, this.context.liveConfig.get());
    try {
      const { changed } = this.context.liveConfig.apply(update);
      if (changed.length)
        this.logger.info({ version: effective.version, changed }, 'live configuration updated');
    } catch (error) {
      // An invalid value (the store validates the platform's keys, not a service's own): keep the last good values.
      this.logger.error(
        { err: error, version: effective.version },
        'the configuration holds invalid live values; keeping the current ones',
      );
    }
    this.appliedVersion = effective.version;
  }

  private async subscribe(): Promise<void> {
    if (this.stopped) return;
    try {
      const topic = topicOf('ConfigurationUpdated');
      const admin = this.context.kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [topic], { withDeadLetter: true });
      } finally {
        await admin.disconnect();
      }
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [topic], fromBeginning: false });
      await this.consumer.run({
        eachMessage: async ({ topic: from, message }) => {
          let event: ConfigurationUpdated;
          try {
            event = (await this.context.codec.decode(from, message.value)).event as ConfigurationUpdated;
          } catch (error) {
            if (isInfrastructureError(error)) {
              // The registry cannot say what the event is about: read the configuration again, in case.
              await this.reload();
              return;
            }
            this.logger.warn(
              { err: error, offset: message.offset },
              'skipping an undecodable configuration event',
            );
            return;
          }
          if (this.concerns(event)) await this.reload();
        },
      });
      this.consuming = true;
    } catch (error) {
      await this.consumer.disconnect().catch(() => undefined);
      this.fail('subscribing to configuration updates failed; retrying', error, () => void this.subscribe());
    }
  }

  private concerns(event: ConfigurationUpdated): boolean {
    if (event.service !== this.service && event.service !== PLATFORM_DEFAULTS_SERVICE) return false;
    return event.profile === null || (event.service === this.service && event.profile === this.profile);
  }

  private fail(message: string, error: unknown, retry: () => void): void {
    const text = (error as Error).message;
    if (this.lastError !== text) this.logger.warn({ err: error }, message);
    this.lastError = text;
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.stopped) retry();
    }, this.options.retryIntervalMs ?? 5000);
    timer.unref();
    this.retryTimers.add(timer);
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await this.consumer.disconnect().catch(() => undefined);
    this.consuming = false;
    this.joined = false;
    await this.reloading;
  }
}
