/** Reads sample values of a Prometheus text exposition (no labels needed for the default Node.js metrics). */
export function parseMetric(text: string, name: string): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return null;
}

export interface EventLoopLag {
  /** Milliseconds, over the period since the previous scrape (prom-client resets its histogram on each). */
  meanMs: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export function eventLoopLag(text: string): EventLoopLag {
  const ms = (name: string) => {
    const seconds = parseMetric(text, name);
    return seconds === null ? null : seconds * 1000;
  };
  return {
    meanMs: ms('nodejs_eventloop_lag_mean_seconds'),
    p99Ms: ms('nodejs_eventloop_lag_p99_seconds'),
    maxMs: ms('nodejs_eventloop_lag_max_seconds'),
  };
}

/** GET <base>/metrics and read the event-loop delay; null when the service does not answer. */
export async function scrapeEventLoopLag(baseUrl: string): Promise<EventLoopLag | null> {
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return null;
    return eventLoopLag(await response.text());
  } catch {
    return null;
  }
}
