import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { uniqueName } from '@fv/testing';
import { ensureTopics } from '../src/index.js';
import { createHarness, type Harness } from './fixtures.js';

// `admin.fetchTopicsOffsets` comes from patches/kafkajs@2.2.4.patch: the ends of several topics in one
// ListOffsets request per end, where kafkajs' own `fetchTopicOffsets` asks twice per topic.

let h: Harness;
let admin: Admin;
const topics = [uniqueName('offsets-a'), uniqueName('offsets-b')];

beforeAll(async () => {
  h = await createHarness('topics-offsets');
  admin = h.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topics, { numPartitions: 3 });
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({
    topic: topics[0]!,
    messages: [
      { key: 'k', value: 'one' },
      { key: 'k', value: 'two' },
    ],
  });
  await producer.send({ topic: topics[1]!, messages: [{ key: 'x', value: 'three' }] });
  await producer.disconnect();
});

afterAll(async () => {
  await admin?.disconnect();
  await h?.close();
});

describe('admin.fetchTopicsOffsets', () => {
  it('gives every partition of every topic the offsets fetchTopicOffsets gives it alone', async () => {
    const together = await admin.fetchTopicsOffsets(topics);
    expect(together.map((entry) => entry.topic).sort()).toEqual([...topics].sort());
    for (const topic of topics) {
      const alone = await admin.fetchTopicOffsets(topic);
      const entry = together.find((candidate) => candidate.topic === topic)!;
      const byPartition = (list: { partition: number }[]) =>
        [...list].sort((a, b) => a.partition - b.partition);
      expect(byPartition(entry.partitions)).toEqual(byPartition(alone));
    }
    const written = together.flatMap((entry) => entry.partitions).reduce((sum, p) => sum + Number(p.high), 0);
    expect(written).toBe(3);
  });

  it('answers an empty list with nothing and refuses a list that names no topic', async () => {
    expect(await admin.fetchTopicsOffsets([])).toEqual([]);
    await expect(admin.fetchTopicsOffsets(['' as string])).rejects.toThrow(/Invalid topics/);
  });
});
