/**
 * Follows `GET /orders/{id}/events`. EventSource cannot send an Authorization header, so the stream is
 * read with fetch and parsed here; a dropped connection is reopened with Last-Event-ID, so nothing is
 * missed or repeated. Ends at the server's `end` event (or a 204 on reconnect: the order had finished).
 */

export interface StreamEvent {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

export interface FollowOptions {
  url: string;
  token: () => string | null;
  onEvent: (event: StreamEvent) => void;
  /** Told when the connection drops and when it is back. */
  onConnection?: (connected: boolean) => void;
  signal: AbortSignal;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Resolves when the order's stream has ended; rejects on a refusal that retrying cannot fix (4xx). */
export async function followOrder(options: FollowOptions): Promise<void> {
  let lastEventId: string | null = null;
  let retryMs = 3000;
  while (!options.signal.aborted) {
    const token = options.token();
    if (!token) throw new Error('Sign in to follow the order');
    let ended = false;
    try {
      const response = await fetch(options.url, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'text/event-stream',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        signal: options.signal,
      });
      if (response.status === 204) return;
      if (response.status >= 400 && response.status < 500) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw Object.assign(new Error(body?.error?.message ?? `HTTP ${response.status}`), { fatal: true });
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      options.onConnection?.(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      while (!ended) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const parsed = parseBlock(block);
          if (parsed.retry !== null) retryMs = parsed.retry;
          if (!parsed.event) continue;
          if (parsed.event.id) lastEventId = parsed.event.id;
          options.onEvent(parsed.event);
          if (parsed.event.event === 'end') ended = true;
        }
      }
      if (ended) {
        await reader.cancel().catch(() => {});
        return;
      }
    } catch (error) {
      if (options.signal.aborted) return;
      if ((error as { fatal?: boolean }).fatal) throw error;
    }
    options.onConnection?.(false);
    await sleep(retryMs, options.signal);
  }
}

function parseBlock(block: string): { event: StreamEvent | null; retry: number | null } {
  let id: string | null = null;
  let event = 'message';
  let retry: number | null = null;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  if (data.length === 0) return { event: null, retry };
  return { event: { id, event, data: JSON.parse(data.join('\n')) }, retry };
}
