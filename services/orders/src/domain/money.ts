/**
 * Money as integer minor units (cents, pence) in a bigint, converted from and to the decimal strings
 * that requests, events and the database use. Floating point never touches an amount.
 */

/** ISO 4217 currencies without minor units. */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
/** ISO 4217 currencies with three decimal places. */
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** Amounts are stored with two decimal places, so currencies with more cannot be accepted. */
export const MAX_SUPPORTED_EXPONENT = 2;

/** Largest amount the database stores (DECIMAL(12, 2)), in major units. */
const MAX_MAJOR_DIGITS = 10;

/** Number of decimal places of `currency` (2 unless ISO 4217 says otherwise). */
export function currencyExponent(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

export class MoneyFormatError extends Error {
  constructor(
    message: string,
    /** The rule broken: `format`, `scale` or `maximum`. */
    readonly rule: 'format' | 'scale' | 'maximum',
  ) {
    super(message);
    this.name = 'MoneyFormatError';
  }
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Largest amount in minor units of `currency` that can be stored. */
export function maxMinorUnits(currency: string): bigint {
  return 10n ** BigInt(MAX_MAJOR_DIGITS + currencyExponent(currency)) - 1n;
}

/**
 * Parses a non-negative decimal amount ("599.99", "600", "0.5") into minor units of `currency`.
 *
 * @throws {MoneyFormatError} for anything that is not a plain decimal, has more decimal places than the
 * currency, or exceeds what can be stored.
 */
export function toMinorUnits(amount: string, currency: string): bigint {
  const match = DECIMAL.exec(amount);
  if (!match) throw new MoneyFormatError(`"${amount}" is not a decimal amount such as 599.99`, 'format');
  const exponent = currencyExponent(currency);
  const whole = match[1]!;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    throw new MoneyFormatError(`${amount} has more than ${exponent} decimal places for ${currency}`, 'scale');
  }
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor > maxMinorUnits(currency)) {
    throw new MoneyFormatError(`${amount} is larger than the largest amount accepted`, 'maximum');
  }
  return minor;
}

/** Formats minor units as a decimal string with the currency's decimal places: 59999n, USD -> "599.99". */
export function fromMinorUnits(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/** Rewrites a decimal amount with the currency's decimal places: "600", USD -> "600.00". */
export function normalizeAmount(amount: string, currency: string): string {
  return fromMinorUnits(toMinorUnits(amount, currency), currency);
}

/**
 * The decimal text of an amount sent as a JSON number or string. A number is taken by its shortest
 * round-trip text (599.99 -> "599.99"), which is exactly what the sender wrote for any amount with
 * fewer than 16 significant digits; exponent notation is refused.
 */
export function decimalText(value: string | number): string {
  if (typeof value === 'string') return value.trim();
  if (!Number.isFinite(value)) throw new MoneyFormatError(`${value} is not an amount`, 'format');
  const text = String(value);
  if (/e/i.test(text)) throw new MoneyFormatError(`${text} is not a decimal amount such as 599.99`, 'format');
  return text;
}

export function sumMinor(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}
