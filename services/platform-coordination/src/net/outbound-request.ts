import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { OutboundPolicy } from './outbound-policy.js';

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** A call the policy refused: no connection was made. */
export class OutboundRefusedError extends Error {
  constructor(reason: string) {
    super(`not called: the URL ${reason}`);
    this.name = 'OutboundRefusedError';
  }
}

/** No answer in time. */
export class OutboundTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** A lookup that answers with the one address already checked, whatever name is asked. */
function pinned(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ]);
    } else {
      callback(null, address, family);
    }
  };
}

/**
 * Calls a URL the policy admits, connecting to the very address it checked (no second resolution), never
 * following a redirect, and discarding the answer's body. Resolves with the HTTP status.
 *
 * @throws {OutboundRefusedError} when the policy refuses the URL (nothing is sent)
 * @throws {OutboundTimeoutError} when no answer came in time
 */
export async function outboundRequest(
  policy: OutboundPolicy,
  target: string,
  request: OutboundRequest,
): Promise<{ status: number }> {
  const resolved = await policy.resolve(target);
  if (!resolved.ok) throw new OutboundRefusedError(resolved.reason);
  const { url, address, family } = resolved;
  const client = url.protocol === 'https:' ? https : http;
  const signal = AbortSignal.timeout(request.timeoutMs);
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      url,
      {
        method: request.method ?? 'GET',
        headers: {
          ...request.headers,
          ...(request.body === undefined ? {} : { 'content-length': Buffer.byteLength(request.body) }),
        },
        lookup: pinned(address, family),
        agent: false,
        signal,
      },
      (response) => {
        response.resume();
        response.on('error', () => undefined);
        resolve({ status: response.statusCode ?? 0 });
      },
    );
    outgoing.on('error', (error) => {
      reject(signal.aborted ? new OutboundTimeoutError(request.timeoutMs) : error);
    });
    outgoing.end(request.body);
  });
}
