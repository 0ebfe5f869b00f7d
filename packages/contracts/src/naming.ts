/**
 * The naming rules that tie an event to its schema file, topic and registry subject.
 * They are applied once, by the generator; the generated catalog is what code reads.
 */

/** `InventoryReservationFailed` → `inventory-reservation-failed`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** `order` or `order-created` → `Order` / `OrderCreated`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The one topic an event type is published on: `OrderCreated` → `order-created-events`. */
export function topicForEventName(eventName: string): string {
  return `${kebabCase(eventName)}-events`;
}

/** The registry subject of a topic's values (Confluent TopicNameStrategy): `<topic>-value`. */
export function subjectForTopic(topic: string): string {
  return `${topic}-value`;
}

/** The namespace every schema of a domain uses: `order` → `com.firstviscount.events.order`. */
export function namespaceForDomain(domain: string): string {
  return `com.firstviscount.events.${domain}`;
}

/** The dead-letter topic of a topic: `order-created-events` → `order-created-events.DLQ`. */
export function dlqTopicOf<T extends string>(topic: T): `${T}.DLQ` {
  return `${topic}.DLQ`;
}
