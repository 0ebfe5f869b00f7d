import { createHash } from 'node:crypto';
import {
  CarrierRejectedError,
  SERVICE_LEVELS,
  type CarrierAdapter,
  type Label,
  type LabelRequest,
  type ServiceLevel,
} from './carrier.js';

/** Calendar days from confirmation to delivery, per service level. */
const TRANSIT_DAYS: Record<ServiceLevel, number> = { STANDARD: 5, EXPRESS: 2, OVERNIGHT: 1 };

/** Postal code formats checked for the countries whose format is simple and strict. */
const POSTAL_CODES: Record<string, RegExp> = {
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i,
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  ES: /^\d{5}$/,
  IT: /^\d{5}$/,
  NL: /^\d{4} ?[A-Z]{2}$/i,
  AU: /^\d{4}$/,
};

function digest(kind: string, orderId: string): Buffer {
  return createHash('sha256').update(`${kind}:${orderId}`).digest();
}

/** Label number of an order: `FV` and 12 digits, derived from the order id. */
export function simulatedLabelNumber(orderId: string): string {
  const value = digest('label', orderId).readBigUInt64BE(0) % 1_000_000_000_000n;
  return `FV${value.toString().padStart(12, '0')}`;
}

/** Tracking id of an order: `SIM` and 16 upper-case hexadecimal characters, derived from the order id. */
export function simulatedTrackingId(orderId: string): string {
  return `SIM${digest('tracking', orderId).subarray(0, 8).toString('hex').toUpperCase()}`;
}

/**
 * The carrier of the local stack and of tests. It keeps no state: label numbers and tracking ids are
 * derived from the order id (the same order always gets the same label), and it refuses what a real
 * carrier would: a destination outside its countries, a malformed postal code, an unknown service level.
 */
export class SimulatedCarrier implements CarrierAdapter {
  readonly code = 'SIMULATED';
  private readonly countries: ReadonlySet<string>;

  constructor(private readonly options: { supportedCountries: readonly string[]; publicBaseUrl: string }) {
    this.countries = new Set(options.supportedCountries.map((country) => country.toUpperCase()));
  }

  async createLabel(request: LabelRequest): Promise<Label> {
    const serviceLevel = request.serviceLevel.toUpperCase();
    if (!(SERVICE_LEVELS as readonly string[]).includes(serviceLevel)) {
      throw new CarrierRejectedError(
        'SERVICE_NOT_AVAILABLE',
        `Shipping method ${request.serviceLevel} is not offered; use one of ${SERVICE_LEVELS.join(', ')}`,
        'shippingMethod',
      );
    }
    const { address } = request;
    const country = address.country.trim().toUpperCase();
    if (!this.countries.has(country)) {
      throw new CarrierRejectedError(
        'SERVICE_NOT_AVAILABLE',
        `The carrier does not deliver to country ${address.country}`,
        'shippingAddress.country',
      );
    }
    for (const field of ['street', 'city', 'zipCode'] as const) {
      if (address[field].trim() === '') {
        throw new CarrierRejectedError(
          'ADDRESS_INVALID',
          `The shipping address has no ${field}`,
          `shippingAddress.${field}`,
        );
      }
    }
    const postalCode = POSTAL_CODES[country];
    if (postalCode && !postalCode.test(address.zipCode.trim())) {
      throw new CarrierRejectedError(
        'ADDRESS_INVALID',
        `${address.zipCode} is not a valid postal code for ${country}`,
        'shippingAddress.zipCode',
      );
    }
    const level = serviceLevel as ServiceLevel;
    const base = this.options.publicBaseUrl.replace(/\/+$/, '');
    return {
      carrier: this.code,
      serviceLevel: level,
      labelNumber: simulatedLabelNumber(request.orderId),
      trackingId: simulatedTrackingId(request.orderId),
      labelUrl: `${base}/api/v1/shipments/${request.shipmentId}/label`,
      estimatedDeliveryAt: new Date(
        request.requestedAt.getTime() + TRANSIT_DAYS[level] * 24 * 60 * 60 * 1000,
      ),
    };
  }

  async voidLabel(): Promise<void> {
    // Simulated labels are never billed: there is nothing to void at a carrier.
  }
}
