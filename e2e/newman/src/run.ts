import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '@fv/service-kit';
import newman, { type NewmanRunSummary } from 'newman';

const HERE = dirname(fileURLToPath(import.meta.url));
export const COLLECTIONS_DIR = join(HERE, '..', 'collections');
const REPOSITORY_ROOT = join(HERE, '..', '..', '..');
/** JUnit reports, one per collection. */
export const REPORT_DIR = join(REPOSITORY_ROOT, '.local', 'newman');

export interface Endpoints {
  coordination: string;
  catalog: string;
  inventory: string;
  orders: string;
  delivery: string;
  notifications: string;
}

export interface CollectionResult {
  collection: string;
  requests: { total: number; failed: number };
  assertions: { total: number; failed: number };
  failures: string[];
  report: string;
}

/** The collections of this folder, in the order they run. */
export function collections(): string[] {
  const order = ['registry-and-config', 'bad-input', 'storefront-journey'];
  return readdirSync(COLLECTIONS_DIR)
    .filter((file) => file.endsWith('.postman_collection.json'))
    .sort((a, b) => order.indexOf(a.split('.')[0]!) - order.indexOf(b.split('.')[0]!));
}

/** The variables the collections read: every service's base URL and a token per role. */
export function variables(endpoints: Endpoints, jwtSecret: string): { key: string; value: string }[] {
  const customerId = randomUUID();
  const token = (sub: string, roles: ('admin' | 'service' | 'customer')[]) =>
    signToken(jwtSecret, { sub, roles, expiresIn: 3600 });
  return Object.entries({
    coordinationUrl: endpoints.coordination,
    catalogUrl: endpoints.catalog,
    inventoryUrl: endpoints.inventory,
    ordersUrl: endpoints.orders,
    deliveryUrl: endpoints.delivery,
    notificationsUrl: endpoints.notifications,
    customerId,
    adminToken: token('newman-operator', ['admin']),
    serviceToken: token('newman-service', ['admin', 'service']),
    customerToken: token(customerId, ['customer']),
  }).map(([key, value]) => ({ key, value }));
}

function runOne(file: string, values: { key: string; value: string }[]): Promise<CollectionResult> {
  mkdirSync(REPORT_DIR, { recursive: true });
  const report = join(REPORT_DIR, file.replace('.postman_collection.json', '.xml'));
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: join(COLLECTIONS_DIR, file),
        envVar: values,
        reporters: ['cli', 'junit'],
        reporter: { junit: { export: report } },
        timeoutRequest: 30_000,
      },
      (error: Error | null, summary: NewmanRunSummary) => {
        if (error) {
          reject(error);
          return;
        }
        const stats = summary.run.stats;
        resolve({
          collection: file,
          requests: { total: stats.requests.total ?? 0, failed: stats.requests.failed ?? 0 },
          assertions: { total: stats.assertions.total ?? 0, failed: stats.assertions.failed ?? 0 },
          failures: summary.run.failures.map(
            (failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`,
          ),
          report,
        });
      },
    );
  });
}

/** Runs every collection against the endpoints, one after another. */
export async function runCollections(endpoints: Endpoints, jwtSecret: string): Promise<CollectionResult[]> {
  const values = variables(endpoints, jwtSecret);
  const results: CollectionResult[] = [];
  for (const file of collections()) results.push(await runOne(file, values));
  return results;
}

export function summaryLine(result: CollectionResult): string {
  return (
    `${result.collection}: ${result.requests.total} requests (${result.requests.failed} failed), ` +
    `${result.assertions.total} assertions (${result.assertions.failed} failed); JUnit ${result.report}`
  );
}
