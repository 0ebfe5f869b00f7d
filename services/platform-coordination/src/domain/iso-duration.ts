/** Milliseconds as an ISO 8601 duration in seconds, as the seed health document shows them: `PT0.15S`. */
export function isoDurationFromMs(ms: number): string {
  const seconds = Math.max(0, Math.round(ms)) / 1000;
  return `PT${Number(seconds.toFixed(3))}S`;
}
