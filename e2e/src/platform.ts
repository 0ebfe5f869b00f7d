import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { signToken, type Role } from '@fv/service-kit';
import {
  PLATFORM_SERVICES as SERVICES,
  REPOSITORY_ROOT,
  createTestDatabase,
  freePort,
  loadStackModule,
  ownStackOptions,
  waitFor,
  type PlatformService as ServiceName,
  type TestDatabase,
} from '@fv/testing';

export { SERVICES, type ServiceName };

export const JWT_SECRET = 'end-to-end-secret-0123456789abcdef';

export function token(sub: string, roles: Role[]): string {
  return signToken(JWT_SECRET, { sub, roles, expiresIn: 3600 });
}

export interface Platform {
  url(service: ServiceName): string;
  /** The payment provider simulator's address (its ledger: `GET /v1/authorizations?merchantReference=`). */
  paymentProviderUrl: string;
  logs: string;
  stop(): Promise<void>;
}

/**
 * The whole platform as `npm start` runs it — every service a real process built from its `main.ts`,
 * registering with the coordination service — on a broker and registry of its own (so no earlier
 * test's events are replayed into it) and a fresh PostgreSQL database per service.
 */
export async function startPlatform(): Promise<Platform> {
  const stack = await loadStackModule();
  const stackOptions = await ownStackOptions('e2e');
  const endpoints = await stack.up(stackOptions);
  // Kept after the run (the stack's own folder is removed): a failed scenario is read from here.
  const logs = path.join(REPOSITORY_ROOT, '.local', 'e2e-logs');
  await fsp.rm(logs, { recursive: true, force: true });
  await fsp.mkdir(logs, { recursive: true });

  const databases: TestDatabase[] = [];
  const processes: { name: ServiceName; child: ChildProcess }[] = [];
  const ports = new Map<ServiceName, number>();
  for (const name of SERVICES) ports.set(name, await freePort());
  const url = (name: ServiceName) => `http://127.0.0.1:${ports.get(name)}`;
  // The payment provider simulator: a process of its own with its own database, started before orders.
  const paymentProviderUrl = `http://127.0.0.1:${await freePort()}`;
  // The supplier simulator likewise, started before inventory.
  const supplierUrl = `http://127.0.0.1:${await freePort()}`;
  const simulators: ChildProcess[] = [];

  const terminate = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
  const stop = async () => {
    // The coordination service last, so the others can deregister from it.
    await Promise.all(
      processes.filter((p) => p.name !== 'platform-coordination').map(({ child }) => terminate(child)),
    );
    await Promise.all(
      processes.filter((p) => p.name === 'platform-coordination').map(({ child }) => terminate(child)),
    );
    await Promise.all(simulators.map(terminate));
    for (const database of databases) await database.dispose();
    await stack.down(stackOptions);
    await fsp.rm(stackOptions.stateDir, { recursive: true, force: true });
  };

  try {
    for (const [simulator, simulatorUrl] of [
      ['payment-provider', paymentProviderUrl],
      ['supplier', supplierUrl],
    ] as const) {
      const simulatorDatabase = await createTestDatabase({ name: `e2e-${simulator}` });
      databases.push(simulatorDatabase);
      if (simulatorDatabase.target.kind !== 'postgres')
        throw new Error('the end-to-end scenarios need the local PostgreSQL server');
      const simulatorLog = fs.openSync(path.join(logs, `${simulator}.log`), 'a');
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: path.join(REPOSITORY_ROOT, 'simulators', simulator),
        stdio: ['ignore', simulatorLog, simulatorLog],
        env: {
          ...process.env,
          NODE_ENV: 'test',
          PORT: new URL(simulatorUrl).port,
          DATABASE_URL: simulatorDatabase.target.url,
          LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
        },
      });
      simulators.push(child);
      await waitFor(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`${simulator} exited with ${child.exitCode}; see ${logs}/${simulator}.log`);
          const response = await fetch(`${simulatorUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
          return response.ok;
        },
        {
          timeoutMs: 120_000,
          intervalMs: 500,
          description: `the ${simulator} simulator to be ready (log: ${logs}/${simulator}.log)`,
        },
      );
    }
    for (const name of SERVICES) {
      const database = await createTestDatabase({ name: `e2e-${name}` });
      databases.push(database);
      if (database.target.kind !== 'postgres')
        throw new Error('the end-to-end scenarios need the local PostgreSQL server');
      const out = fs.openSync(path.join(logs, `${name}.log`), 'a');
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: path.join(REPOSITORY_ROOT, 'services', name),
        stdio: ['ignore', out, out],
        env: {
          ...process.env,
          NODE_ENV: 'test',
          PORT: String(ports.get(name)),
          DATABASE_URL: database.target.url,
          KAFKA_BROKERS: endpoints.kafkaBrokers,
          SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
          COORDINATION_URL: url('platform-coordination'),
          ORDERS_URL: url('orders'),
          JWT_SECRET,
          LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
          ...(name === 'orders' ? { PAYMENT_PROVIDER_URL: paymentProviderUrl } : {}),
          // Only locations a scenario configures are replenished: the others keep the stock they are given.
          ...(name === 'inventory' ? { SUPPLIER_URL: supplierUrl, DEFAULT_REORDER_QUANTITY: '0' } : {}),
        },
      });
      processes.push({ name, child });
    }
    for (const { name, child } of processes) {
      await waitFor(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`${name} exited with ${child.exitCode}; see ${logs}/${name}.log`);
          const response = await fetch(`${url(name)}/health/ready`, { signal: AbortSignal.timeout(2000) });
          return response.ok;
        },
        {
          timeoutMs: 120_000,
          intervalMs: 500,
          description: `${name} to be ready (log: ${logs}/${name}.log)`,
        },
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, paymentProviderUrl, logs, stop };
}

/** A JSON call with a bearer token; answers status, body and the response headers. */
export { callJson as call } from '@fv/testing';
