import { describe, expect, it } from 'vitest';
import { formatIsoDuration, isoDurationFromMs, parseIsoDuration } from './iso-duration.js';

describe('ISO 8601 durations', () => {
  it('parses the seed timeouts and combinations of days, hours, minutes and seconds', () => {
    expect(parseIsoDuration('PT10M')).toBe(600_000);
    expect(parseIsoDuration('PT2M')).toBe(120_000);
    expect(parseIsoDuration('PT1M30S')).toBe(90_000);
    expect(parseIsoDuration('PT0.5S')).toBe(500);
    expect(parseIsoDuration('P1DT2H')).toBe(93_600_000);
    expect(parseIsoDuration('P2D')).toBe(172_800_000);
  });

  it('refuses what is not a duration of fixed length', () => {
    for (const text of ['', 'P', 'PT', '10M', 'P1M', 'P1Y', 'PT-1S', 'PT1.2345S', 'P1W', 'PT1M2H'])
      expect(parseIsoDuration(text), text).toBeNull();
  });

  it('formats compactly and round-trips', () => {
    expect(formatIsoDuration(150_000)).toBe('PT2M30S');
    expect(formatIsoDuration(5000)).toBe('PT5S');
    expect(formatIsoDuration(250)).toBe('PT0.25S');
    expect(formatIsoDuration(0)).toBe('PT0S');
    expect(formatIsoDuration(93_600_000)).toBe('P1DT2H');
    for (const ms of [1, 999, 61_000, 3_600_000, 90_061_500])
      expect(parseIsoDuration(formatIsoDuration(ms))).toBe(ms);
    expect(isoDurationFromMs(150)).toBe('PT0.15S');
  });
});
