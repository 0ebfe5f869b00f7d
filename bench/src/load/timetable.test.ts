import { describe, expect, it } from 'vitest';
import { dueIndexes, intendedSendTime, requestCount } from './timetable.js';

describe('the open-loop timetable', () => {
  it('spaces sends at 1/rate from the start', () => {
    expect(intendedSendTime(1000, 10, 0)).toBe(1000);
    expect(intendedSendTime(1000, 10, 7)).toBe(1700);
    expect(intendedSendTime(0, 3, 3)).toBe(1000);
  });

  it('counts rate × duration requests', () => {
    expect(requestCount(25, 60)).toBe(1500);
    expect(requestCount(0.5, 1)).toBe(1);
  });

  it('releases every overdue request at once when the sender fell behind', () => {
    // 100/s: requests 0..4 are due by start + 40 ms; a sender 40 ms late sends them all now.
    expect(dueIndexes(0, 100, 0, 1000, 40)).toBe(5);
    expect(dueIndexes(0, 100, 5, 1000, 45)).toBe(5);
    expect(dueIndexes(0, 100, 5, 7, 10_000)).toBe(7);
  });
});
