/** Milliseconds as an ISO 8601 duration in seconds, as the seed health document shows them: `PT0.15S`. */
export function isoDurationFromMs(ms: number): string {
  const seconds = Math.max(0, Math.round(ms)) / 1000;
  return `PT${Number(seconds.toFixed(3))}S`;
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

/**
 * Parses an ISO 8601 duration of days, hours, minutes and seconds (`PT10M`, `PT1M30S`, `P1DT2H`,
 * `PT0.5S`) into milliseconds; null for anything else (years, months and weeks have no fixed length).
 */
export function parseIsoDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === 'P' || text.trim().endsWith('T')) return null;
  const [, days, hours, minutes, seconds] = match;
  if ([days, hours, minutes, seconds].every((part) => part === undefined)) return null;
  return Math.round(
    (Number(days ?? 0) * 86_400 +
      Number(hours ?? 0) * 3600 +
      Number(minutes ?? 0) * 60 +
      Number(seconds ?? 0)) *
      1000,
  );
}

/** Milliseconds as a compact ISO 8601 duration: `PT2M30S`, `PT5S`, `PT0.25S`, `P1DT2H`. */
export function formatIsoDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds || (!hours && !minutes && !days)) time += `${Number(seconds.toFixed(3))}S`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
