import { Kafka, logLevel } from 'kafkajs';
import type { DeadLetter } from './invariants.js';

const header = (headers: Record<string, unknown> | undefined, name: string): string | null => {
  const value = headers?.[name];
  if (value === undefined || value === null) return null;
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
};

/**
 * Every message in every `*.DLQ` topic, read from offset 0 with a plain kafkajs consumer of a group of its
 * own, with what the dead-lettering consumer wrote in its headers (error code, the event, the order).
 */
export async function readDeadLetters(brokers: string, timeoutMs = 60_000): Promise<DeadLetter[]> {
  const kafka = new Kafka({
    clientId: 'chaos-dlq-reader',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  let topics: string[];
  const ends = new Map<string, Map<number, bigint>>();
  try {
    topics = (await admin.listTopics()).filter((topic) => topic.endsWith('.DLQ')).sort();
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const nonEmpty = offsets.filter((partition) => BigInt(partition.high) > BigInt(partition.low));
      if (nonEmpty.length > 0)
        ends.set(topic, new Map(nonEmpty.map((partition) => [partition.partition, BigInt(partition.high)])));
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];

  const letters: DeadLetter[] = [];
  const consumer = kafka.consumer({ groupId: `chaos-dlq-reader-${Date.now()}-${process.pid}` });
  await consumer.connect();
  try {
    for (const topic of ends.keys()) await consumer.subscribe({ topic, fromBeginning: true });
    const remaining = new Map([...ends].map(([topic, partitions]) => [topic, new Map(partitions)]));
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading the dead-letter topics took longer than ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const headers = message.headers as Record<string, unknown> | undefined;
          letters.push({
            topic,
            partition,
            offset: message.offset,
            errorCode: header(headers, 'dlq-error-code') ?? 'UNKNOWN',
            eventName: header(headers, 'event-name'),
            orderId: header(headers, 'correlation-id'),
            message: header(headers, 'dlq-error-message'),
          });
          const partitions = remaining.get(topic);
          if (partitions && BigInt(message.offset) + 1n >= (partitions.get(partition) ?? 0n)) {
            partitions.delete(partition);
            if (partitions.size === 0) remaining.delete(topic);
          }
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return letters.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
