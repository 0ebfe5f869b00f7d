import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, OptionsError, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('has the documented defaults', () => {
    expect(parseOptions([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS.rates).toEqual([10, 25, 50, 100]);
    expect(DEFAULT_OPTIONS.durationS).toBe(60);
    expect(DEFAULT_OPTIONS.warmupS).toBe(10);
  });

  it('reads rates, duration and flags in both spellings', () => {
    const options = parseOptions([
      '--',
      '--rates',
      '5,10,20',
      '--duration=20',
      '--no-search',
      '--repeat',
      '3',
      '--profile',
    ]);
    expect(options.rates).toEqual([5, 10, 20]);
    expect(options.durationS).toBe(20);
    expect(options.search).toBe(false);
    expect(options.repeat).toBe(3);
    expect(options.profile).toBe(true);
    expect(parseOptions(['--search=false']).search).toBe(false);
    expect(parseOptions(['--no-baseline']).baseline).toBe(false);
    expect(DEFAULT_OPTIONS.servers).toBe('compiled');
    expect(parseOptions(['--servers', 'sources']).servers).toBe('sources');
    expect(() => parseOptions(['--servers=tsx'])).toThrow(OptionsError);
  });

  it('raises --max-rate to the highest listed rate', () => {
    expect(parseOptions(['--rates', '500', '--max-rate', '100']).maxRate).toBe(500);
  });

  it('refuses bad values naming the option', () => {
    expect(() => parseOptions(['--rates', '5,x'])).toThrow(/--rates needs a number, got "x"/);
    expect(() => parseOptions(['--duration', '0'])).toThrow(/--duration must be more than zero/);
    expect(() => parseOptions(['--repeat', '1.5'])).toThrow(/--repeat must be a whole number/);
    expect(() => parseOptions(['--warmup', '-1'])).toThrow(/--warmup must be zero or more/);
    expect(() => parseOptions(['--log-level', 'loud'])).toThrow(/--log-level must be one of/);
    expect(() => parseOptions(['--frobnicate'])).toThrow(OptionsError);
    expect(() => parseOptions(['extra'])).toThrow(/unexpected argument "extra"/);
  });
});
