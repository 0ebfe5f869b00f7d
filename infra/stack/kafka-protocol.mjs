/** Just enough of the Kafka wire protocol for the stack: a health probe and topic creation, with no client library. */
import { connect } from 'node:net';
import { HOST, StackError } from './config.mjs';

export const KAFKA_API = {
  produce: 0,
  fetch: 1,
  metadata: 3,
  apiVersions: 18,
  createTopics: 19,
  incrementalAlterConfigs: 44,
};
export const KAFKA_TOPIC_ALREADY_EXISTS = 36;

/** Writes Kafka protocol primitives (the classic, non-flexible encodings). */
export class KafkaWriter {
  constructor() {
    this.parts = [];
  }
  int8(value) {
    const buffer = Buffer.alloc(1);
    buffer.writeInt8(value);
    this.parts.push(buffer);
    return this;
  }
  int16(value) {
    const buffer = Buffer.alloc(2);
    buffer.writeInt16BE(value);
    this.parts.push(buffer);
    return this;
  }
  int32(value) {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32BE(value);
    this.parts.push(buffer);
    return this;
  }
  string(value) {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  array(items, writeItem) {
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }
  toBuffer() {
    return Buffer.concat(this.parts);
  }
}

/** Reads Kafka protocol primitives from a response body. */
export class KafkaReader {
  constructor(buffer) {
    this.buffer = buffer;
    this.offset = 0;
  }
  int8() {
    const value = this.buffer.readInt8(this.offset);
    this.offset += 1;
    return value;
  }
  int16() {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32() {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  string() {
    const length = this.int16();
    if (length < 0) return null;
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}

/**
 * Sends requests ({ apiKey, version, body }) on one connection and resolves with a KafkaReader over each
 * response body, in request order. Rejects on connection errors and after `timeoutMs`.
 */
export function kafkaExchange(port, requests, { host = HOST, timeoutMs = 3000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    let pending = Buffer.alloc(0);
    const responses = new Map();
    const socket = connect({ host, port });
    const finish = (error, result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolvePromise(result);
    };
    const timer = setTimeout(
      () => finish(new Error(`no Kafka protocol answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('connect', () => {
      const clientId = new KafkaWriter().string('fv-stack').toBuffer();
      const frames = requests.map(({ apiKey, version, body }, index) => {
        const header = new KafkaWriter()
          .int16(apiKey)
          .int16(version)
          .int32(index + 1)
          .toBuffer();
        const size = new KafkaWriter().int32(header.length + clientId.length + body.length).toBuffer();
        return Buffer.concat([size, header, clientId, body]);
      });
      socket.write(Buffer.concat(frames));
    });
    socket.on('error', (error) => finish(error.code === 'ECONNREFUSED' ? new Error('not listening') : error));
    socket.on('close', () => finish(new Error('connection closed before the broker answered')));
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        responses.set(frame.readInt32BE(0), new KafkaReader(frame.subarray(4)));
      }
      if (responses.size === requests.length) {
        finish(
          null,
          requests.map((_, index) => responses.get(index + 1)),
        );
      }
    });
  });
}

/**
 * Speaks the Kafka protocol to the broker: ApiVersions v0 (the broker answers requests at all) then
 * Metadata v1 (it has joined the cluster and advertises the address clients will be given).
 *
 * @returns {Promise<{ healthy: boolean, reason?: string, apiCount?: number, brokers?: string[] }>}
 */
export async function probeKafka(port, { host = HOST, timeoutMs = 3000 } = {}) {
  const expected = `${host}:${port}`;
  let versions;
  let metadata;
  try {
    [versions, metadata] = await kafkaExchange(
      port,
      [
        { apiKey: KAFKA_API.apiVersions, version: 0, body: Buffer.alloc(0) },
        { apiKey: KAFKA_API.metadata, version: 1, body: new KafkaWriter().int32(-1).toBuffer() },
      ],
      { host, timeoutMs },
    );
  } catch (error) {
    return { healthy: false, reason: error.message };
  }
  try {
    const errorCode = versions.int16();
    if (errorCode !== 0) return { healthy: false, reason: `ApiVersions error code ${errorCode}` };
    const apis = new Set();
    for (let i = versions.int32(); i > 0; i -= 1) {
      apis.add(versions.int16());
      versions.int16();
      versions.int16();
    }
    for (const [name, key] of Object.entries(KAFKA_API)) {
      if (!apis.has(key)) return { healthy: false, reason: `broker does not offer the ${name} API` };
    }
    const brokers = [];
    for (let i = metadata.int32(); i > 0; i -= 1) {
      metadata.int32();
      const brokerHost = metadata.string();
      const brokerPort = metadata.int32();
      metadata.string();
      brokers.push(`${brokerHost}:${brokerPort}`);
    }
    if (!brokers.includes(expected)) {
      return {
        healthy: false,
        reason: brokers.length
          ? `broker advertises ${brokers.join(', ')}, not ${expected}`
          : 'no broker registered in the cluster metadata yet',
      };
    }
    return { healthy: true, apiCount: apis.size, brokers };
  } catch (error) {
    return { healthy: false, reason: `unreadable Kafka response (${error.message})` };
  }
}

/**
 * Ensures single-partition topics exist with the given settings: creates missing ones (CreateTopics v2) and
 * applies the settings to existing ones (IncrementalAlterConfigs v0). Resolves with the names it created.
 *
 * @param {number} port
 * @param {{ name: string, configs: Record<string, string> }[]} topics
 */
export async function ensureKafkaTopics(port, topics) {
  const create = new KafkaWriter()
    .array(topics, (writer, topic) =>
      writer
        .string(topic.name)
        .int32(1)
        .int16(1)
        .array([], () => {})
        .array(Object.entries(topic.configs), (entry, [name, value]) => entry.string(name).string(value)),
    )
    .int32(30_000)
    .int8(0)
    .toBuffer();
  const alter = new KafkaWriter()
    .array(topics, (writer, topic) =>
      writer
        .int8(2)
        .string(topic.name)
        .array(Object.entries(topic.configs), (entry, [name, value]) =>
          entry.string(name).int8(0).string(value),
        ),
    )
    .int8(0)
    .toBuffer();
  const fail = (name, errorCode, message) => {
    throw new StackError(
      `Setting up topic ${name} failed: Kafka error ${errorCode}${message ? ` (${message})` : ''}.`,
    );
  };
  const [created] = await kafkaExchange(
    port,
    [{ apiKey: KAFKA_API.createTopics, version: 2, body: create }],
    {
      timeoutMs: 35_000,
    },
  );
  created.int32();
  const names = [];
  for (let i = created.int32(); i > 0; i -= 1) {
    const name = created.string();
    const errorCode = created.int16();
    const message = created.string();
    if (errorCode === 0) names.push(name);
    else if (errorCode !== KAFKA_TOPIC_ALREADY_EXISTS) fail(name, errorCode, message);
  }
  const [altered] = await kafkaExchange(port, [
    { apiKey: KAFKA_API.incrementalAlterConfigs, version: 0, body: alter },
  ]);
  altered.int32();
  for (let i = altered.int32(); i > 0; i -= 1) {
    const errorCode = altered.int16();
    const message = altered.string();
    altered.int8();
    const name = altered.string();
    if (errorCode !== 0) fail(name, errorCode, message);
  }
  return names;
}
