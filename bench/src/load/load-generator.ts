/**
 * The load generator: a process of its own (forked by the benchmark), so its CPU is neither the services'
 * nor the measuring process's. It sends on a fixed timetable (open loop: request i leaves at
 * start + i / rate whatever earlier answers do) through node:http with a keep-alive agent, and records
 * intended and actual send times so that a generator falling behind (coordinated omission) is visible.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { signToken } from '@fv/service-kit';
import { orderRequest } from '@fv/testing/platform-requests';
import type { FromGenerator, LoadJob, RequestRecord, ToGenerator } from './protocol.js';
import { dueIndexes, intendedSendTime, requestCount } from './timetable.js';

const now = () => performance.timeOrigin + performance.now();

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });

interface Prepared {
  path: string;
  headers: http.OutgoingHttpHeaders;
  body: string | null;
}

/** Every request of the job, built before the clock starts so that sending costs only the send. */
function prepare(job: LoadJob, total: number): Prepared[] {
  const url = new URL(job.url);
  if (job.kind === 'get') {
    const request: Prepared = { path: url.pathname + url.search, headers: {}, body: null };
    return Array.from({ length: total }, () => request);
  }
  const orders = job.orders;
  if (!orders || orders.productIds.length === 0) throw new Error('an orders job needs product ids');
  return Array.from({ length: total }, (_, index) => {
    const customerId = randomUUID();
    const body = JSON.stringify(
      orderRequest({
        customerEmail: `${orders.keyPrefix}-${index}@example.com`,
        items: [
          {
            productId: orders.productIds[index % orders.productIds.length]!,
            quantity: 1,
            warehouseId: 'wh-001',
          },
        ],
        cardToken: orders.card,
      }),
    );
    return {
      path: url.pathname,
      body,
      headers: {
        // One customer per order: the platform limits each caller to 1,000 requests an hour.
        authorization: `Bearer ${signToken(orders.jwtSecret, { sub: customerId, roles: ['customer'], expiresIn: 7200 })}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-idempotency-key': `${orders.keyPrefix}-${index}`,
      },
    };
  });
}

function send(job: LoadJob, url: URL, prepared: Prepared, record: RequestRecord): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number, error: string | null, body?: string) => {
      if (settled) return;
      settled = true;
      record.doneAt = now();
      record.status = status;
      record.error = error;
      if (body && job.kind === 'orders' && status >= 200 && status < 300) {
        try {
          record.orderId = (JSON.parse(body) as { orderId?: string }).orderId ?? null;
        } catch {
          record.error = 'unreadable answer';
        }
      } else if (body && status >= 400) {
        record.error = body.slice(0, 300);
      }
      resolve();
    };
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: job.kind === 'get' ? 'GET' : 'POST',
        path: prepared.path,
        headers: prepared.headers,
        agent,
        timeout: job.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          finish(response.statusCode ?? 0, null, Buffer.concat(chunks).toString('utf8')),
        );
        response.on('error', (error) => finish(0, error.message));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${job.timeoutMs} ms`)));
    request.on('error', (error) => finish(0, error.message));
    record.sentAt = now();
    request.end(prepared.body ?? undefined);
  });
}

async function run(job: LoadJob): Promise<FromGenerator> {
  const url = new URL(job.url);
  const total = requestCount(job.rate, job.durationS);
  const prepared = prepare(job, total);
  const records: RequestRecord[] = [];
  const pending: Promise<void>[] = [];
  // A short lead so the first send is on the timetable too.
  const startAt = now() + 50;
  let next = 0;
  let lastSentAt = startAt;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = dueIndexes(startAt, job.rate, next, total, now());
      for (; next < due; next += 1) {
        const record: RequestRecord = {
          index: next,
          intendedAt: intendedSendTime(startAt, job.rate, next),
          sentAt: 0,
          doneAt: 0,
          status: 0,
          orderId: null,
          error: null,
        };
        records.push(record);
        pending.push(send(job, url, prepared[next]!, record));
        lastSentAt = record.sentAt;
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, intendedSendTime(startAt, job.rate, next) - now()));
    };
    setTimeout(tick, Math.max(0, startAt - now()));
  });
  await Promise.all(pending);
  return { type: 'result', startAt, lastSentAt, records };
}

process.on('message', (message: ToGenerator) => {
  if (message.type === 'exit') {
    agent.destroy();
    process.disconnect?.();
    return;
  }
  run(message).then(
    (result) => process.send?.(result),
    (error: unknown) =>
      process.send?.({ type: 'error', message: (error as Error).message } satisfies FromGenerator),
  );
});
process.send?.({ type: 'ready', pid: process.pid } satisfies FromGenerator);
