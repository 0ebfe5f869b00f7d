export * from './platform.js';
export * from './trace-collector.js';
