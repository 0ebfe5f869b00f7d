export * from './generated/events.js';
export { eventCatalog, eventNames } from './generated/catalog.js';
export type { AvroRecordSchema, EventCatalogEntry } from './event-catalog-entry.js';
export {
  catalogEntryOf,
  eventNameOfTopic,
  eventNamesOfDomain,
  isEventName,
  subjectOf,
  topicOf,
  topicPrefix,
  topicPrefixOf,
  type EventSubject,
  type EventTopic,
} from './event-catalog.js';
export { dlqTopicOf } from './naming.js';
export {
  assertValidEvent,
  avroTypeOf,
  avroTypeOptions,
  EventValidationError,
  validateEvent,
  type EventValidationIssue,
} from './validation.js';
export {
  registerAllSchemas,
  registerSchemas,
  SchemaRegistrationError,
  type RegisterAllSchemasOptions,
  type RegisterSchemasOptions,
  type RegistrationFailure,
  type SchemaToRegister,
} from './register-schemas.js';
export {
  SchemaRegistryClient,
  SchemaRegistryError,
  type CompatibilityLevel,
  type CompatibilityTestResult,
  type RegisteredSchemaVersion,
  type SchemaRegistryClientOptions,
} from './schema-registry-client.js';
export { checkSchemasAgainstRegistry, type RegistryCompatibilityResult } from './registry-compatibility.js';
export {
  checkBackwardCompatibility,
  formatCompatibilityIssues,
  type CompatibilityIssue,
} from './compatibility.js';
export {
  compensationOutcomeOf,
  orderFailureReasonOf,
  type OrderFailureReason,
  type CompensationAnswer,
  type CompensationOutcomeKind,
} from './compensation.js';
