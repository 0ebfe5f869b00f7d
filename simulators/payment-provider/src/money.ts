/** Amounts cross the API as decimal strings ("1499.97") and are kept in integer minor units. */

const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'HUF', 'TWD', 'UGX', 'XAF', 'XOF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND', 'IQD', 'LYD']);

export function exponentOf(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

const DECIMAL = /^(\d{1,15})(?:\.(\d{1,3}))?$/;

/** The amount in minor units, or null when it is not a positive amount with the currency's decimals. */
export function toMinor(amount: string, currency: string): bigint | null {
  const match = DECIMAL.exec(amount);
  if (!match) return null;
  const exponent = exponentOf(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return null;
  const minor = BigInt(match[1]! + fraction.padEnd(exponent, '0'));
  return minor > 0n ? minor : null;
}

export function fromMinor(minor: bigint, currency: string): string {
  const exponent = exponentOf(currency);
  if (exponent === 0) return minor.toString();
  const digits = minor.toString().padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
