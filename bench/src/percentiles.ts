/**
 * The one percentile helper of the benchmarks: nearest-rank on the sorted values (the p-th percentile is the
 * smallest value with at least p % of the values at or below it), so every figure is a value that was
 * measured, never an interpolation. Empty input gives null.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  if (sorted.length === 0) return null;
  if (p === 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export interface Distribution {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** p50, p90, p99, max and mean of a set of measurements (in whatever unit they come in). */
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

/** Median and min–max of one figure over repetitions; nulls (a repetition without the figure) are left out. */
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
