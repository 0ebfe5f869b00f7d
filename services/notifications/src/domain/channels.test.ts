import { describe, expect, it } from 'vitest';
import { CHANNELS, channelEnabled, isChannel } from './channels.js';

describe('channels', () => {
  it('knows e-mail, SMS and push, by their upper-case names only', () => {
    expect(CHANNELS.filter(isChannel)).toEqual(['EMAIL', 'SMS', 'PUSH']);
    expect(isChannel('email')).toBe(false);
    expect(isChannel('FAX')).toBe(false);
    expect(isChannel('')).toBe(false);
  });

  it("follows the customer's own choice for a channel over the default, either way", () => {
    const choices = new Map([
      ['EMAIL', false],
      ['SMS', true],
    ]);
    expect(channelEnabled('EMAIL', choices, ['EMAIL'])).toBe(false);
    expect(channelEnabled('SMS', choices, ['EMAIL'])).toBe(true);
  });

  it('falls back to the default channels when the customer made no choice', () => {
    const none = new Map<string, boolean>();
    expect(channelEnabled('EMAIL', none, ['EMAIL', 'PUSH'])).toBe(true);
    expect(channelEnabled('PUSH', none, ['EMAIL', 'PUSH'])).toBe(true);
    expect(channelEnabled('SMS', none, ['EMAIL', 'PUSH'])).toBe(false);
    expect(channelEnabled('EMAIL', new Map([['SMS', true]]), [])).toBe(false);
  });
});
