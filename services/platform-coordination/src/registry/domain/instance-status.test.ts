import { describe, expect, it } from 'vitest';
import { aggregateStatus, classifyProbe, serviceStatus } from './instance-status.js';

describe('classifyProbe', () => {
  it('passes 2xx, warns on 429 and fails anything else or no answer', () => {
    expect(classifyProbe({ httpStatus: 200, timedOut: false })).toBe('passing');
    expect(classifyProbe({ httpStatus: 204, timedOut: false })).toBe('passing');
    expect(classifyProbe({ httpStatus: 429, timedOut: false })).toBe('warning');
    expect(classifyProbe({ httpStatus: 503, timedOut: false })).toBe('critical');
    expect(classifyProbe({ httpStatus: 301, timedOut: false })).toBe('critical');
    expect(classifyProbe({ httpStatus: 404, timedOut: false })).toBe('critical');
    expect(classifyProbe({ httpStatus: null, timedOut: false })).toBe('critical');
    expect(classifyProbe({ httpStatus: 200, timedOut: true })).toBe('critical');
  });
});

describe('aggregateStatus', () => {
  it('is DOWN when the lease lapsed whatever the probe says', () => {
    expect(aggregateStatus('critical', 'passing')).toBe('DOWN');
    expect(aggregateStatus('critical', 'unknown')).toBe('DOWN');
  });
  it('follows the probe while the lease holds, and the heartbeat alone before the first probe', () => {
    expect(aggregateStatus('passing', 'passing')).toBe('UP');
    expect(aggregateStatus('passing', 'warning')).toBe('DEGRADED');
    expect(aggregateStatus('passing', 'critical')).toBe('DOWN');
    expect(aggregateStatus('passing', 'unknown')).toBe('UP');
  });
});

describe('serviceStatus', () => {
  it('is UP when every instance is, DOWN when none serves, DEGRADED in between', () => {
    expect(serviceStatus(['UP', 'UP'])).toBe('UP');
    expect(serviceStatus(['UP', 'DOWN'])).toBe('DEGRADED');
    expect(serviceStatus(['DEGRADED'])).toBe('DEGRADED');
    expect(serviceStatus(['DOWN', 'DOWN'])).toBe('DOWN');
    expect(serviceStatus([])).toBe('DOWN');
  });
});
