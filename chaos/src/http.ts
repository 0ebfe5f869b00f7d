/** A JSON call with a bearer token; answers status and parsed body (null for an empty body). */
export async function call<T = Record<string, unknown>>(
  method: string,
  url: string,
  bearer: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { raw: text.slice(0, 500) };
    }
  }
  return { status: response.status, body: body as T };
}

/** Like call(), retrying network failures and 5xx/429 answers until `timeoutMs` has passed. */
export async function callSteadily<T = Record<string, unknown>>(
  method: string,
  url: string,
  bearer: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; body: T }> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: unknown;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const answer = await call<T>(method, url, bearer, { ...options, timeoutMs: 10_000 });
      if (answer.status < 500 && answer.status !== 429) return answer;
      last = new Error(`${method} ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw last;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(2000, 200 * 2 ** attempt) * (0.5 + Math.random())),
    );
  }
}
