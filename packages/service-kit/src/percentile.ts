/**
 * The platform's one percentile helper: nearest-rank on the sorted values (the p-th percentile is the
 * smallest value with at least p % of the values at or below it), so every figure is a value that was
 * measured, never an interpolation. Empty input gives null. Used by the benchmarks and the analytics.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  if (sorted.length === 0) return null;
  if (p === 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
