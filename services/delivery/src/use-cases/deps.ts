import type { Outbox, PublishMeta } from '@fv/messaging';
import type { Logger } from '@fv/service-kit';
import type { CarrierAdapter } from '../carrier/carrier.js';

/** What the use cases need from the service around them. */
export interface DeliveryDeps {
  outbox: Outbox;
  carrier: CarrierAdapter;
  returnWindowDays: number;
  now(): Date;
}

/** Meta for an event a use case publishes: correlation, causation and trace of what caused it. */
export type EventMeta = Pick<PublishMeta, 'correlationId' | 'causationId' | 'traceparent'>;

export interface HandlerMeta {
  meta: EventMeta;
  logger: Logger;
}
