import { describe, expect, it } from 'vitest';
import { isInfrastructureError } from './errors.js';
import { classifyDecodeError, registryError } from './event-codec.js';

/** An error as @kafkajs/confluent-schema-registry raises it: a message and the status it made of it. */
function clientError(message: string, status: number): Error {
  return Object.assign(new Error(`Confluent_Schema_Registry - Error, status ${status}: ${message}`), {
    status,
  });
}

describe('what a failed decode means', () => {
  it('treats a refused connection as an outage, even when the registry client calls it a 400', () => {
    const refused = clientError('connect ECONNREFUSED 127.0.0.1:41139', 400);
    expect(isInfrastructureError(classifyDecodeError(7, refused))).toBe(true);
    expect(isInfrastructureError(registryError('cannot look up a schema', refused))).toBe(true);
  });

  it('treats a 5xx of the registry as an outage', () => {
    expect(isInfrastructureError(classifyDecodeError(7, clientError('internal error', 500)))).toBe(true);
  });

  it('keeps an unknown schema id and a contract refusal as problems of the message', () => {
    expect(isInfrastructureError(classifyDecodeError(7, clientError('Schema 7 not found', 404)))).toBe(false);
    const incompatible = clientError('Schema being registered is incompatible with an earlier schema', 409);
    expect(isInfrastructureError(registryError('cannot register the schema', incompatible))).toBe(false);
  });
});
