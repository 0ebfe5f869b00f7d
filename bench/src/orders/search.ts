export interface RateOutcome {
  rate: number;
  /** p99 order→COMPLETED under the objective, and every order accepted and finished. */
  passed: boolean;
}

/** The search stops when the failing rate is within this fraction above the passing one. */
export const SEARCH_RESOLUTION = 0.1;

function roundRate(rate: number): number {
  return rate >= 10 ? Math.round(rate) : Math.round(rate * 2) / 2;
}

/** The highest passing rate and the lowest failing rate above it among the outcomes measured so far. */
export function bracket(outcomes: readonly RateOutcome[]): {
  passing: number | null;
  failing: number | null;
} {
  const passingRates = outcomes.filter((outcome) => outcome.passed).map((outcome) => outcome.rate);
  const passing = passingRates.length === 0 ? null : Math.max(...passingRates);
  const failingRates = outcomes
    .filter((outcome) => !outcome.passed && (passing === null || outcome.rate > passing))
    .map((outcome) => outcome.rate);
  const failing = failingRates.length === 0 ? null : Math.min(...failingRates);
  return { passing, failing };
}

/**
 * The next rate the search measures, or null when it is done: bisection between the highest passing rate and
 * the lowest failing rate above it; with no failing rate yet, double the passing rate (up to `maxRate`); with
 * no passing rate, halve the lowest failing one (down to 0.5/s).
 */
export function nextSearchRate(outcomes: readonly RateOutcome[], maxRate: number): number | null {
  const { passing, failing } = bracket(outcomes);
  if (passing === null && failing === null) return null;
  if (failing === null) {
    if (passing! >= maxRate) return null;
    return roundRate(Math.min(maxRate, passing! * 2));
  }
  if (passing === null) {
    const next = roundRate(failing / 2);
    return next < 0.5 || next >= failing ? null : next;
  }
  if ((failing - passing) / passing <= SEARCH_RESOLUTION) return null;
  const next = roundRate((passing + failing) / 2);
  return next <= passing || next >= failing ? null : next;
}
