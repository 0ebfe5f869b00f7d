// The platform's one percentile helper (nearest rank), taken from its file in @fv/service-kit: that
// file imports nothing, and @fv/testing does not depend on the whole kit (its server, telemetry and
// logger) for it.
import { percentile } from '../../service-kit/src/percentile.js';

export interface Distribution {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** p50, p90, p99, max and mean of a set of measurements (in whatever unit they come in), nearest rank. */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length === 0 ? null : sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
    mean,
  };
}

export interface Spread {
  median: number | null;
  min: number | null;
  max: number | null;
}

/**
 * Median and min–max of one figure over repetitions; nulls (a repetition without the figure) are left
 * out. The median is the nearest-rank one: with an even count, the lower of the two middle values.
 */
export function spread(values: readonly (number | null | undefined)[]): Spread {
  const present = values.filter(
    (value): value is number => typeof value === 'number' && Number.isFinite(value),
  );
  const sorted = present.sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    min: sorted.length === 0 ? null : sorted[0]!,
    max: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
  };
}
