/** The JSON of an event's Avro schema: always a record. */
export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
  readonly doc: string;
  readonly fields: readonly unknown[];
}

/** What the catalog knows about one event type. */
export interface EventCatalogEntry<N extends string = string> {
  /** Event name, e.g. `OrderCreated`. */
  readonly name: N;
  /** Domain folder under `schemas/`, e.g. `order`. */
  readonly domain: string;
  /** Topic the event is published on, e.g. `order-created-events`. */
  readonly topic: string;
  /** Schema registry subject of the topic's values, e.g. `order-created-events-value`. */
  readonly subject: string;
  /** Schema file, from the repository root. */
  readonly file: string;
  /** The Avro schema, as written in the file. */
  readonly schema: AvroRecordSchema;
}
