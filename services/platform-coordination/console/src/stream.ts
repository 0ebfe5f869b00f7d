/**
 * Follows the console's live feed (`GET /console/stream`, server-sent events). EventSource cannot send an
 * Authorization header, so the stream is read with fetch and parsed here; a dropped connection is
 * reopened after the server's `retry` delay.
 */
import { refusalOf, serverSentBlocks, sleepUnlessAborted } from '@fv/service-kit/sse-client';

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

/** The feed's events as they arrive, each block's data parsed as JSON (or handed on as text); returns the last `retry`. */
async function readStream(body: NonNullable<Response['body']>, options: FeedOptions): Promise<number | null> {
  let retry: number | null = null;
  for await (const block of serverSentBlocks(body)) {
    if (block.retry !== null) retry = block.retry;
    if (block.data === null) continue;
    let data: unknown = block.data;
    try {
      data = JSON.parse(block.data);
    } catch {
      // Not JSON: handed on as text.
    }
    options.onEvent({ event: block.event, data });
  }
  return retry;
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
      if (response.status >= 400 && response.status < 500) throw await refusalOf(response);
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      options.onConnection(true);
      retryMs = (await readStream(response.body, options)) ?? retryMs;
    } catch (error) {
      if (options.signal.aborted) return;
      if ((error as { fatal?: boolean }).fatal) {
        options.onConnection(false);
        throw error;
      }
    }
    options.onConnection(false);
    await sleepUnlessAborted(retryMs, options.signal);
  }
}
