import { loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { notificationsConfigSchema } from './config.js';

const base = { NODE_ENV: 'development', SERVICE_NAME: 'notifications', PORT: '8086' };

describe('notifications configuration', () => {
  it('runs with no configuration', () => {
    const config = loadConfig(notificationsConfigSchema, base);
    expect(config.NOTIFICATION_DEFAULT_CHANNELS).toEqual(['EMAIL']);
    expect(config.NOTIFICATION_MAX_ATTEMPTS).toBe(5);
    expect(config.NOTIFICATION_RETRY_BASE_MS).toBe(1000);
  });

  it('reads channel lists', () => {
    expect(
      loadConfig(notificationsConfigSchema, { ...base, NOTIFICATION_DEFAULT_CHANNELS: 'email, sms' })
        .NOTIFICATION_DEFAULT_CHANNELS,
    ).toEqual(['EMAIL', 'SMS']);
    expect(
      loadConfig(notificationsConfigSchema, { ...base, NOTIFICATION_DEFAULT_CHANNELS: 'none' })
        .NOTIFICATION_DEFAULT_CHANNELS,
    ).toEqual([]);
  });

  it('names the variable of a bad value', () => {
    expect(() =>
      loadConfig(notificationsConfigSchema, { ...base, NOTIFICATION_DEFAULT_CHANNELS: 'EMAIL,FAX' }),
    ).toThrow(/NOTIFICATION_DEFAULT_CHANNELS: must be a comma-separated list of EMAIL, SMS, PUSH/);
    expect(() => loadConfig(notificationsConfigSchema, { ...base, NOTIFICATION_MAX_ATTEMPTS: '0' })).toThrow(
      /NOTIFICATION_MAX_ATTEMPTS/,
    );
    expect(() =>
      loadConfig(notificationsConfigSchema, { ...base, NOTIFICATION_RETRY_BASE_MS: 'soon' }),
    ).toThrow(/NOTIFICATION_RETRY_BASE_MS/);
  });
});
