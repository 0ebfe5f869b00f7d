import { afterEach, describe, expect, it, vi } from 'vitest';
import { topicPrefixOf } from './event-catalog.js';

describe('the topic prefix (KAFKA_TOPIC_PREFIX)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('puts the prefix before every topic and finds the event of a prefixed topic only', async () => {
    vi.stubEnv('KAFKA_TOPIC_PREFIX', 'staging.');
    vi.resetModules();
    const catalog = await import('./event-catalog.js');
    expect(catalog.topicPrefix).toBe('staging.');
    expect(catalog.topicOf('OrderCreated')).toBe('staging.order-created-events');
    expect(catalog.eventNameOfTopic('staging.order-created-events')).toBe('OrderCreated');
    expect(catalog.eventNameOfTopic('order-created-events')).toBeUndefined();
    // Subjects stay shared: every namespace carries the same schemas.
    expect(catalog.subjectOf('OrderCreated')).toBe('order-created-events-value');
  });

  it('is empty by default', async () => {
    vi.stubEnv('KAFKA_TOPIC_PREFIX', undefined);
    vi.resetModules();
    const catalog = await import('./event-catalog.js');
    expect(catalog.topicOf('OrderCreated')).toBe('order-created-events');
    expect(catalog.eventNameOfTopic('order-created-events')).toBe('OrderCreated');
  });

  it('refuses characters a topic name cannot hold', () => {
    expect(topicPrefixOf(' dev- ')).toBe('dev-');
    expect(() => topicPrefixOf('a/b.')).toThrow(RangeError);
    expect(() => topicPrefixOf('x'.repeat(101))).toThrow(/at most 100/);
  });
});
