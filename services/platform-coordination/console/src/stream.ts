/**
 * Follows the console's live feed (`GET /console/stream`, server-sent events). EventSource cannot send an
 * Authorization header, so the stream is read with fetch and parsed here; a dropped connection is
 * reopened after the server's `retry` delay.
 */

export interface FeedEvent {
  event: string;
  data: unknown;
}

export interface FeedOptions {
  url: string;
  token: () => string | null;
  onEvent: (event: FeedEvent) => void;
  onConnection: (connected: boolean) => void;
  signal: AbortSignal;
}

function parseBlock(block: string): { event: FeedEvent | null; retry: number | null } {
  let event = 'message';
  const data: string[] = [];
  let retry: number | null = null;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  if (data.length === 0) return { event: null, retry };
  let parsed: unknown = data.join('\n');
  try {
    parsed = JSON.parse(parsed as string);
  } catch {
    // Not JSON: handed on as text.
  }
  return { event: { event, data: parsed }, retry };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

async function readStream(response: Response, options: FeedOptions): Promise<number | null> {
  let retry: number | null = null;
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return retry;
    buffer += value.replace(/\r\n?/g, '\n');
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const parsed = parseBlock(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (parsed.retry !== null) retry = parsed.retry;
      if (parsed.event) options.onEvent(parsed.event);
    }
  }
}

/** Follows the feed until `signal` aborts; rejects on a refusal that reconnecting cannot fix (4xx). */
export async function follow(options: FeedOptions): Promise<void> {
  let retryMs = 3000;
  while (!options.signal.aborted) {
    try {
      const response = await fetch(options.url, {
        headers: { authorization: `Bearer ${options.token() ?? ''}`, accept: 'text/event-stream' },
        signal: options.signal,
      });
      if (response.status >= 400 && response.status < 500) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw Object.assign(new Error(body?.error?.message ?? `HTTP ${response.status}`), { fatal: true });
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      options.onConnection(true);
      retryMs = (await readStream(response, options)) ?? retryMs;
    } catch (error) {
      if (options.signal.aborted) return;
      if ((error as { fatal?: boolean }).fatal) {
        options.onConnection(false);
        throw error;
      }
    }
    options.onConnection(false);
    await sleep(retryMs, options.signal);
  }
}
