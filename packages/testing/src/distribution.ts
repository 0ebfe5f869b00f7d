// The platform's one percentile helper (nearest rank), from its own entry point of the kit: that file
// imports nothing, so a benchmark does not load the kit's server, telemetry and logger for it.
import { percentile } from '@fv/service-kit/percentile';

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
