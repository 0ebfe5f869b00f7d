/**
 * Prices are exact decimals with at most two fractional digits, carried as strings ("1499.97") from
 * the request to the database (numeric(12,2)) and into events. They are never held in a float.
 */

/** numeric(12, 2): ten integer digits. */
export const MAX_INTEGER_DIGITS = 10;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export type AmountResult = { ok: true; value: string } | { ok: false; rule: string; message: string };

/**
 * Parses a price given as a decimal string or a JSON number into its canonical form
 * (`"7.5"` → `"7.50"`, `12` → `"12.00"`), or says which rule it breaks.
 */
export function parseAmount(input: unknown): AmountResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input))
      return { ok: false, rule: 'type', message: 'must be a finite decimal number' };
    // A JSON number such as 19.99 prints back as written; anything with more digits is refused below.
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else {
    return { ok: false, rule: 'type', message: 'must be a decimal string such as "19.99"' };
  }
  if (text.startsWith('-')) {
    const rest = text.slice(1);
    if (DECIMAL.test(rest) && /[1-9]/.test(rest))
      return { ok: false, rule: 'minimum', message: 'must not be negative' };
    text = rest;
  }
  const match = DECIMAL.exec(text);
  if (!match) return { ok: false, rule: 'format', message: 'must be a decimal number such as "19.99"' };
  const integer = match[1]!.replace(/^0+(?=\d)/, '');
  const fraction = match[2] ?? '';
  if (fraction.length > 2) {
    return { ok: false, rule: 'multipleOf', message: 'must have at most two decimal places' };
  }
  if (integer.length > MAX_INTEGER_DIGITS) {
    return { ok: false, rule: 'maximum', message: `must be less than 10^${MAX_INTEGER_DIGITS}` };
  }
  return { ok: true, value: `${integer}.${fraction.padEnd(2, '0')}` };
}

/** The amount in hundredths, for exact comparison of canonical amounts. */
export function toCents(amount: string): bigint {
  const [integer = '0', fraction = ''] = amount.split('.');
  return BigInt(integer) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

export function compareAmounts(a: string, b: string): number {
  const difference = toCents(a) - toCents(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

export type CurrencyResult = { ok: true; value: string } | { ok: false; rule: string; message: string };

/** An ISO 4217 code the catalog prices in (case-insensitive on input, upper-case out). */
export function parseCurrency(input: string, supported: readonly string[]): CurrencyResult {
  const code = input.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code))
    return { ok: false, rule: 'format', message: 'must be a three-letter ISO 4217 currency code' };
  if (!supported.includes(code)) {
    return {
      ok: false,
      rule: 'enum',
      message: `is not a supported currency (supported: ${supported.join(', ')})`,
    };
  }
  return { ok: true, value: code };
}
