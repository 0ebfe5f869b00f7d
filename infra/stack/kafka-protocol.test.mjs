import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { StackError } from './config.mjs';
import { KafkaReader, KafkaWriter, ensureKafkaTopics, probeKafka } from './kafka-protocol.mjs';

/**
 * A TCP server that answers Kafka requests the way `answer(apiKey, reader)` says: it parses each frame's
 * header (api key, version, correlation id, client id) and frames the answer under the same correlation id.
 */
async function fakeBroker(answer) {
  const requests = [];
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = new KafkaReader(pending.subarray(4, 4 + pending.readInt32BE(0)));
        pending = pending.subarray(4 + pending.readInt32BE(0));
        const [apiKey, version, correlationId, clientId] = [
          frame.int16(),
          frame.int16(),
          frame.int32(),
          frame.string(),
        ];
        requests.push({ apiKey, version, clientId });
        const body = answer(apiKey, frame);
        const header = new KafkaWriter().int32(correlationId).toBuffer();
        socket.write(
          Buffer.concat([new KafkaWriter().int32(header.length + body.length).toBuffer(), header, body]),
        );
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { port: server.address().port, requests };
}
const servers = [];
after(() => servers.forEach((server) => server.close()));

const ALL_APIS = [0, 1, 3, 18, 19, 44];
const apiVersions = (keys) =>
  new KafkaWriter()
    .int16(0)
    .array(keys, (w, key) => w.int16(key).int16(0).int16(9))
    .toBuffer();
const metadata = (brokers) =>
  new KafkaWriter()
    .array(brokers, (w, [host, port]) => w.int32(1).string(host).int32(port).string(null))
    .toBuffer();

test('KafkaWriter and KafkaReader agree on the primitives, null strings included', () => {
  const reader = new KafkaReader(
    new KafkaWriter().int8(-3).int16(300).int32(-70_000).string('ü topic').string(null).toBuffer(),
  );
  assert.deepEqual(
    [reader.int8(), reader.int16(), reader.int32(), reader.string(), reader.string()],
    [-3, 300, -70_000, 'ü topic', null],
  );
});

test('probeKafka: asks ApiVersions then Metadata, and is unhealthy while another address is advertised', async () => {
  const broker = await fakeBroker((apiKey) =>
    apiKey === 18 ? apiVersions(ALL_APIS) : metadata([['127.0.0.1', 1]]),
  );
  const result = await probeKafka(broker.port);
  assert.deepEqual(result, {
    healthy: false,
    reason: `broker advertises 127.0.0.1:1, not 127.0.0.1:${broker.port}`,
  });
  assert.deepEqual(
    broker.requests.map((r) => [r.apiKey, r.version, r.clientId]),
    [
      [18, 0, 'fv-stack'],
      [3, 1, 'fv-stack'],
    ],
  );
  const empty = await fakeBroker((apiKey) => (apiKey === 18 ? apiVersions(ALL_APIS) : metadata([])));
  assert.equal((await probeKafka(empty.port)).reason, 'no broker registered in the cluster metadata yet');
});

test('probeKafka: healthy with its own address advertised; unhealthy when an API is missing', async () => {
  let ownPort = 0;
  const broker = await fakeBroker((apiKey) =>
    apiKey === 18 ? apiVersions(ALL_APIS) : metadata([['127.0.0.1', ownPort]]),
  );
  ownPort = broker.port;
  assert.deepEqual(await probeKafka(broker.port), {
    healthy: true,
    apiCount: ALL_APIS.length,
    brokers: [`127.0.0.1:${broker.port}`],
  });

  const old = await fakeBroker((apiKey) => (apiKey === 18 ? apiVersions([0, 1, 3, 18]) : metadata([])));
  assert.deepEqual(await probeKafka(old.port), {
    healthy: false,
    reason: 'broker does not offer the createTopics API',
  });
});

test('probeKafka: "not listening" on a closed port, and a timeout when nothing answers', async () => {
  const closed = await fakeBroker(() => null);
  servers.pop().close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await probeKafka(closed.port), { healthy: false, reason: 'not listening' });

  const silent = createServer(() => {});
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  servers.push(silent);
  const result = await probeKafka(silent.address().port, { timeoutMs: 200 });
  assert.deepEqual(result, { healthy: false, reason: 'no Kafka protocol answer within 200 ms' });
});

/** CreateTopics v2 and IncrementalAlterConfigs v0 answers, each topic with the error code given. */
function topicAdmin(createErrors, alterErrors = {}) {
  return (apiKey, request) => {
    const names = [];
    for (let i = request.int32(); i > 0; i -= 1) {
      if (apiKey === 44) request.int8();
      names.push(request.string());
      if (apiKey === 19) {
        request.int32();
        request.int16();
        request.int32();
      }
      for (let c = request.int32(); c > 0; c -= 1) {
        request.string();
        if (apiKey === 44) request.int8();
        request.string();
      }
    }
    if (apiKey === 19) {
      return new KafkaWriter()
        .int32(0)
        .array(names, (w, name) =>
          w
            .string(name)
            .int16(createErrors[name] ?? 0)
            .string(null),
        )
        .toBuffer();
    }
    return new KafkaWriter()
      .int32(0)
      .array(names, (w, name) =>
        w
          .int16(alterErrors[name] ?? 0)
          .string('bad config')
          .int8(2)
          .string(name),
      )
      .toBuffer();
  };
}

test('ensureKafkaTopics: creates what is missing, leaves what exists, applies settings to both', async () => {
  const broker = await fakeBroker(topicAdmin({ journal: 36 }));
  const topics = [
    { name: 'journal', configs: { 'cleanup.policy': 'compact' } },
    { name: 'snapshots', configs: { 'retention.ms': '-1' } },
  ];
  assert.deepEqual(await ensureKafkaTopics(broker.port, topics), ['snapshots']);
  assert.deepEqual(
    broker.requests.map((r) => [r.apiKey, r.version]),
    [
      [19, 2],
      [44, 0],
    ],
  );
});

test('ensureKafkaTopics: a creation or settings error is a StackError naming the topic and code', async () => {
  const refused = await fakeBroker(topicAdmin({ journal: 41 }));
  await assert.rejects(
    ensureKafkaTopics(refused.port, [{ name: 'journal', configs: {} }]),
    (error) =>
      error instanceof StackError && error.message === 'Setting up topic journal failed: Kafka error 41.',
  );
  const badConfig = await fakeBroker(topicAdmin({}, { journal: 40 }));
  await assert.rejects(
    ensureKafkaTopics(badConfig.port, [{ name: 'journal', configs: { x: 'y' } }]),
    (error) => error instanceof StackError && error.message.includes('Kafka error 40 (bad config)'),
  );
});
