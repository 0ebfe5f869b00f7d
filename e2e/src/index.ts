export * from './platform.js';
export * from './trace-collector.js';
export * from './shop.js';
