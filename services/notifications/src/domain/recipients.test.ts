import { describe, expect, it } from 'vitest';
import { isValidRecipient } from './recipients.js';

describe('recipients', () => {
  it('checks addresses per channel', () => {
    expect(isValidRecipient('EMAIL', 'ada@example.com')).toBe(true);
    expect(isValidRecipient('EMAIL', 'ada@localhost')).toBe(false);
    expect(isValidRecipient('SMS', '+12125550100')).toBe(true);
    expect(isValidRecipient('SMS', '212-555-0100')).toBe(false);
    expect(isValidRecipient('PUSH', 'device-token-123')).toBe(true);
    expect(isValidRecipient('PUSH', 'x')).toBe(false);
  });
});
