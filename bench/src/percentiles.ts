// The benchmarks' summaries live in @fv/testing, shared with the packages' own benchmarks; this module
// keeps the names its callers import.
import { percentile } from '@fv/service-kit';

export { percentile };
export { distribution, spread, type Distribution, type Spread } from '@fv/testing';
