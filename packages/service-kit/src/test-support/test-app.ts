import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { baseConfigSchema, loadConfig, type BaseConfig } from '../config.js';
import { createApp, type CreateAppOptions } from '../create-app.js';
import { createLogger, type Logger } from '../logger.js';

export const TEST_SECRET = 'test-secret-of-sufficient-length';

/** A log destination that keeps every line, parsed, for assertions. */
export class LogCapture extends Writable {
  readonly raw: string[] = [];

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.raw.push(String(chunk));
    callback();
  }

  get text(): string {
    return this.raw.join('');
  }

  get lines(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export function testConfig(overrides: Record<string, string> = {}): BaseConfig {
  return loadConfig(baseConfigSchema, {
    NODE_ENV: 'test',
    SERVICE_NAME: 'test-service',
    SERVICE_VERSION: '1.2.3',
    PORT: '8099',
    JWT_SECRET: TEST_SECRET,
    ...overrides,
  });
}

export interface TestApp {
  app: FastifyInstance;
  logs: LogCapture;
  logger: Logger;
  config: BaseConfig;
}

/** An app as a service builds it, logging into memory, without process metrics. */
export async function buildTestApp(
  options: Partial<Omit<CreateAppOptions, 'config' | 'logger'>> & { level?: 'info' | 'debug' | 'warn' } = {},
): Promise<TestApp> {
  const { level, ...appOptions } = options;
  const config = testConfig();
  const logs = new LogCapture();
  const logger = createLogger({
    service: config.SERVICE_NAME,
    version: config.SERVICE_VERSION,
    level: level ?? 'info',
    destination: logs,
    pretty: false,
  });
  const app = await createApp({ config, logger, defaultMetrics: false, ...appOptions });
  return { app, logs, logger, config };
}
