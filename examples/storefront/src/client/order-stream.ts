/**
 * Follows `GET /orders/{id}/events`. EventSource cannot send an Authorization header, so the stream is
 * read with fetch and parsed here; a dropped connection is reopened with Last-Event-ID, so nothing is
 * missed or repeated. Ends at the server's `end` event (or a 204 on reconnect: the order had finished).
 */
import { refusalOf, serverSentBlocks, sleepUnlessAborted } from '@fv/service-kit/sse-client';

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

/** Resolves when the order's stream has ended; rejects on a refusal that retrying cannot fix (4xx). */
export async function followOrder(options: FollowOptions): Promise<void> {
  let lastEventId: string | null = null;
  let retryMs = 3000;
  while (!options.signal.aborted) {
    const token = options.token();
    if (!token) throw new Error('Sign in to follow the order');
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
      if (response.status >= 400 && response.status < 500) throw await refusalOf(response);
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      options.onConnection?.(true);
      for await (const block of serverSentBlocks(response.body)) {
        if (block.retry !== null) retryMs = block.retry;
        if (block.data === null) continue;
        const event: StreamEvent = { id: block.id, event: block.event, data: JSON.parse(block.data) };
        if (event.id) lastEventId = event.id;
        options.onEvent(event);
        if (event.event === 'end') return;
      }
    } catch (error) {
      if (options.signal.aborted) return;
      if ((error as { fatal?: boolean }).fatal) throw error;
    }
    options.onConnection?.(false);
    await sleepUnlessAborted(retryMs, options.signal);
  }
}
