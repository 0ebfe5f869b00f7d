import { loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config.js';

const minimal = { NODE_ENV: 'development', SERVICE_NAME: 'platform-coordination', PORT: '8081' };

describe('configuration', () => {
  it('runs with no configuration', () => {
    const config = loadConfig(configSchema, minimal);
    expect(config.REGISTRY_HEARTBEAT_INTERVAL_SECONDS).toBe(10);
    expect(config.REGISTRY_HEARTBEAT_TTL_SECONDS).toBe(30);
    expect(config.REGISTRY_SELF_PRESERVATION_THRESHOLD).toBe(0.5);
    expect(config.HEALTH_POLL_ENABLED).toBe(true);
    expect(config.CONFIG_PROFILE).toBeUndefined();
    expect(config.WORKFLOW_TIMEOUT_ORDER_FULFILLMENT).toBe(600_000);
    expect(config.WORKFLOW_TIMEOUT_PAYMENT_PROCESSING).toBe(120_000);
    expect(config.WORKFLOW_TIMEOUT_INVENTORY_RESERVATION).toBe(60_000);
    expect(config.WORKFLOW_RETRY_MAX_ATTEMPTS).toBe(3);
    expect(config.WORKFLOW_RETRY_INITIAL_INTERVAL).toBe(1000);
    expect(config.WORKFLOW_RETRY_MAX_INTERVAL).toBe(30_000);
    expect(config.SAGA_COMPENSATION_TIMEOUT).toBe(300_000);
    expect(config.SAGA_COMPENSATION_MAX_RETRIES).toBe(5);
    expect(config.WORKFLOW_STUCK_AFTER).toBe(1_800_000);
    expect(config.WORKFLOW_STUCK_THRESHOLD).toBe(10);
    expect(config.WORKFLOW_OPENING_PRODUCERS).toEqual([]);
    expect(
      loadConfig(configSchema, { ...minimal, WORKFLOW_OPENING_PRODUCERS: 'orders, inventory' })
        .WORKFLOW_OPENING_PRODUCERS,
    ).toEqual(['orders', 'inventory']);
  });

  it('reads the seed timeouts as ISO 8601 durations and names a bad one', () => {
    const config = loadConfig(configSchema, { ...minimal, WORKFLOW_TIMEOUT_PAYMENT_PROCESSING: 'PT1.5S' });
    expect(config.WORKFLOW_TIMEOUT_PAYMENT_PROCESSING).toBe(1500);
    expect(() => loadConfig(configSchema, { ...minimal, SAGA_COMPENSATION_TIMEOUT: '5 minutes' })).toThrow(
      /SAGA_COMPENSATION_TIMEOUT: must be an ISO 8601 duration/,
    );
  });

  it('reads the service variables', () => {
    const config = loadConfig(configSchema, {
      ...minimal,
      REGISTRY_HEARTBEAT_TTL_SECONDS: '5',
      REGISTRY_SELF_PRESERVATION_THRESHOLD: '0.85',
      HEALTH_POLL_ENABLED: 'off',
      CONFIG_PROFILE: 'staging',
    });
    expect(config.REGISTRY_HEARTBEAT_TTL_SECONDS).toBe(5);
    expect(config.REGISTRY_SELF_PRESERVATION_THRESHOLD).toBe(0.85);
    expect(config.HEALTH_POLL_ENABLED).toBe(false);
    expect(config.CONFIG_PROFILE).toBe('staging');
  });

  it('names every bad variable', () => {
    const load = () =>
      loadConfig(configSchema, {
        ...minimal,
        REGISTRY_HEARTBEAT_INTERVAL_SECONDS: '0',
        REGISTRY_SELF_PRESERVATION_THRESHOLD: '2',
        HEALTH_POLL_TIMEOUT_MS: 'soon',
        CONFIG_PROFILE: 'Not A Profile',
      });
    expect(load).toThrow(/\(4 problems\)/);
    for (const variable of [
      'REGISTRY_HEARTBEAT_INTERVAL_SECONDS',
      'REGISTRY_SELF_PRESERVATION_THRESHOLD',
      'HEALTH_POLL_TIMEOUT_MS',
      'CONFIG_PROFILE',
    ]) {
      expect(load).toThrow(new RegExp(`${variable}: `));
    }
  });
});
