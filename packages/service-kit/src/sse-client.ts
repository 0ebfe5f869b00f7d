/*
 * Reading a server-sent event stream with fetch, for the browser pages (the storefront example, the
 * coordination console): EventSource cannot send an Authorization header. Browser-safe: nothing of Node.
 */

/** One event of the stream: `data` is its data lines joined (null when it had none). */
export interface ServerSentBlock {
  id: string | null;
  event: string;
  data: string | null;
  /** The reconnection delay the server asked for (`retry:`), in milliseconds. */
  retry: number | null;
}

/** Parses one block of field lines (the text between two blank lines); comment lines are skipped. */
export function parseServerSentBlock(block: string): ServerSentBlock {
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
  return { id, event, data: data.length === 0 ? null : data.join('\n'), retry };
}

/** The blocks of a stream's body as they arrive; leaving the loop early cancels the body. */
export async function* serverSentBlocks(
  body: NonNullable<Response['body']>,
): AsyncGenerator<ServerSentBlock> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        yield parseServerSentBlock(block);
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * The error of a 4xx answer, which reconnecting cannot fix (marked `fatal`): the message of the
 * platform's error envelope, else the status.
 */
export async function refusalOf(response: Response): Promise<Error & { fatal: true }> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return Object.assign(new Error(body?.error?.message ?? `HTTP ${response.status}`), {
    fatal: true as const,
  });
}

/** Waits `ms`, or less if `signal` aborts first. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
