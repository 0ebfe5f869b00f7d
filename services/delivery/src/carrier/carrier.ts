export const SERVICE_LEVELS = ['STANDARD', 'EXPRESS', 'OVERNIGHT'] as const;
export type ServiceLevel = (typeof SERVICE_LEVELS)[number];

export interface ShippingAddress {
  name: string | null;
  street: string;
  city: string;
  state: string | null;
  zipCode: string;
  country: string;
  phone: string | null;
}

export interface LabelRequest {
  orderId: string;
  shipmentId: string;
  serviceLevel: string;
  address: ShippingAddress;
  /** The moment the order was confirmed: transit estimates count from it. */
  requestedAt: Date;
}

export interface Label {
  carrier: string;
  serviceLevel: ServiceLevel;
  labelNumber: string;
  trackingId: string;
  labelUrl: string | null;
  estimatedDeliveryAt: Date | null;
}

/** Failure codes of DeliverySchedulingFailed. */
export type CarrierErrorCode =
  'ADDRESS_INVALID' | 'SERVICE_NOT_AVAILABLE' | 'LABEL_REJECTED' | 'CARRIER_UNAVAILABLE';

/**
 * The carrier refused the shipment (an address it cannot serve, a service level it does not offer):
 * asking again will not help, the saga is told with DeliverySchedulingFailed.
 */
export class CarrierRejectedError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: Exclude<CarrierErrorCode, 'CARRIER_UNAVAILABLE'>,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CarrierRejectedError';
  }
}

/** The carrier could not be reached or failed on its side: the same request may succeed later. */
export class CarrierUnavailableError extends Error {
  readonly retriable = true;
  readonly code = 'CARRIER_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CarrierUnavailableError';
  }
}

/**
 * A shipping carrier. Creating a label for the same order twice must give the same label (carriers
 * accept an idempotency reference; here, the order id), so a retried request never pays twice.
 */
export interface CarrierAdapter {
  /** Carrier code reported in events, e.g. "UPS", "SIMULATED". */
  readonly code: string;
  /** @throws CarrierRejectedError or CarrierUnavailableError */
  createLabel(request: LabelRequest): Promise<Label>;
  /** Voids an unused label so it is not billed. @throws CarrierUnavailableError */
  voidLabel(label: { trackingId: string; labelNumber: string }): Promise<void>;
}
