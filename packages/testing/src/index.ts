export * from './wait-for.js';
export * from './unique.js';
export * from './stack.js';
export * from './test-database.js';
export * from './event-collector.js';
export * from './consumer-offsets.js';
export * from './service-events.js';
export * from './bench-stack.js';
