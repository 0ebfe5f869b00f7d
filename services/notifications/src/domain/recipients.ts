import type { Channel } from './channels.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Whether `value` can be an address on `channel`: an e-mail address, an E.164 phone number, a device token. */
export function isValidRecipient(channel: Channel, value: string): boolean {
  switch (channel) {
    case 'EMAIL':
      return value.length <= 320 && EMAIL.test(value);
    case 'SMS':
      return E164.test(value);
    case 'PUSH':
      return value.trim().length >= 8 && value.length <= 500;
  }
}
