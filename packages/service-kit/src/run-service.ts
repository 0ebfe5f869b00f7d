import type { FastifyInstance } from 'fastify';
import type { BaseConfig } from './config.js';
import type { Logger } from './logger.js';

/** Something to close on shutdown: a consumer, the outbox relay, a producer, a database pool. */
export interface Closeable {
  name: string;
  close(): Promise<void>;
}

/** The parts of `process` that running a service touches; tests pass a fake. */
export interface ProcessLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  exit(code: number): void;
}

export interface RunServiceOptions {
  app: FastifyInstance;
  config: Pick<BaseConfig, 'HOST' | 'PORT' | 'SHUTDOWN_TIMEOUT_MS'>;
  logger: Logger;
  /** Closed one after another, in this order, once the HTTP server has stopped. */
  closeables?: readonly Closeable[];
  process?: ProcessLike;
}

export interface RunningService {
  /** The address the server listens on, e.g. `http://127.0.0.1:8084`. */
  address: string;
  /**
   * Shuts down as a signal would; resolves with the exit code after `process.exit` was
   * called with it. Repeated calls share one shutdown.
   */
  shutdown(reason: string, exitCode?: number): Promise<number>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const HTTP_SERVER = 'http server';

/**
 * Listens on HOST:PORT and shuts the service down in order on SIGTERM/SIGINT, an
 * uncaught exception or an unhandled rejection:
 *
 * 1. readiness turns 503 at once (and every non-probe route answers 503);
 * 2. the server stops accepting connections and finishes in-flight requests;
 * 3. the closeables close one by one, in the order given;
 * 4. the process exits 0, or 1 when something failed to close, the shutdown was caused
 *    by an error, or `SHUTDOWN_TIMEOUT_MS` passed first (the log names what was still open).
 */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const { app, config, logger } = options;
  const closeables = options.closeables ?? [];
  const proc: ProcessLike = options.process ?? process;
  let shutdownInProgress: Promise<number> | undefined;

  async function runShutdown(reason: string, requestedCode: number): Promise<number> {
    logger.info({ reason, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down');
    app.health.markShuttingDown();
    const code = await closeAll({ app, closeables, logger }, config.SHUTDOWN_TIMEOUT_MS, requestedCode);
    detach();
    proc.exit(code);
    return code;
  }

  function shutdown(reason: string, exitCode = 0): Promise<number> {
    shutdownInProgress ??= runShutdown(reason, exitCode);
    return shutdownInProgress;
  }

  const onSignal = (signal: string) => {
    if (shutdownInProgress) {
      logger.warn({ signal }, `received ${signal} again during shutdown; exiting now`);
      proc.exit(1);
      return;
    }
    void shutdown(signal);
  };
  const onUncaughtException = (error: unknown) => {
    logger.fatal({ err: error }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  };
  const onUnhandledRejection = (reason: unknown) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    void shutdown('unhandledRejection', 1);
  };

  const listeners: [string, (...args: unknown[]) => void][] = [
    ...SIGNALS.map((signal): [string, () => void] => [signal, () => onSignal(signal)]),
    ['uncaughtException', onUncaughtException],
    ['unhandledRejection', onUnhandledRejection],
  ];
  for (const [event, listener] of listeners) proc.on(event, listener);
  function detach(): void {
    for (const [event, listener] of listeners) proc.removeListener(event, listener);
  }

  let address: string;
  try {
    address = await app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    logger.fatal({ err: error, host: config.HOST, port: config.PORT }, 'could not listen');
    await shutdown('listen failed', 1);
    throw error;
  }
  logger.info({ address }, `listening on ${address}`);

  return { address, shutdown };
}

/** What a shutdown closes, and where it logs. */
interface ShutdownTargets {
  app: FastifyInstance;
  closeables: readonly Closeable[];
  logger: Logger;
}

/**
 * Closes everything within `timeoutMs` and returns the exit code: the requested one, raised to 1 when
 * something failed to close or the time ran out (the log then names what was still open).
 */
async function closeAll(targets: ShutdownTargets, timeoutMs: number, requestedCode: number): Promise<number> {
  const { closeables, logger } = targets;
  const pending = new Set([HTTP_SERVER, ...closeables.map((closeable) => closeable.name)]);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), timeoutMs);
  });
  const outcome = await Promise.race([closeInOrder(targets, pending), timedOut]);
  clearTimeout(timer);

  let code = requestedCode;
  if (outcome === 'timed out') {
    logger.error(
      { stillOpen: [...pending], timeoutMs },
      `shutdown timed out after ${timeoutMs} ms; still open: ${[...pending].join(', ')}`,
    );
    code = 1;
  } else {
    code = Math.max(code, outcome);
    logger.info({ exitCode: code }, 'shutdown complete');
  }
  return code;
}

/** Closes the HTTP server, then the closeables one by one, taking each from `pending`; 1 when any failed. */
async function closeInOrder(
  { app, closeables, logger }: ShutdownTargets,
  pending: Set<string>,
): Promise<number> {
  let failures = 0;
  try {
    await app.close();
    logger.info('http server closed');
  } catch (error) {
    failures += 1;
    logger.error({ err: error }, 'http server failed to close');
  } finally {
    pending.delete(HTTP_SERVER);
  }
  for (const closeable of closeables) {
    try {
      await closeable.close();
      logger.info({ closeable: closeable.name }, `closed ${closeable.name}`);
    } catch (error) {
      failures += 1;
      logger.error({ err: error, closeable: closeable.name }, `${closeable.name} failed to close`);
    } finally {
      pending.delete(closeable.name);
    }
  }
  return failures === 0 ? 0 : 1;
}
