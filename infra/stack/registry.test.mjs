import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { probeRegistry } from './registry.mjs';

const servers = [];
after(() => servers.forEach((server) => server.close()));

/** An HTTP server answering every request with `status` and `body`, recording the paths asked for. */
async function fakeRegistry(status, body) {
  const paths = [];
  const server = createServer((request, response) => {
    paths.push(`${request.method} ${request.url}`);
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { port: server.address().port, paths };
}

test('probeRegistry: healthy when the Confluent API lists its subjects', async () => {
  const registry = await fakeRegistry(200, '["orders-value","payments-value"]');
  assert.deepEqual(await probeRegistry(registry.port), { healthy: true, subjects: 2 });
  assert.deepEqual(registry.paths, ['GET /apis/ccompat/v7/subjects']);
});

test('probeRegistry: unhealthy on an error status or an answer that is not a JSON list', async () => {
  const failing = await fakeRegistry(503, '{"message":"storage not ready"}');
  assert.deepEqual(await probeRegistry(failing.port), {
    healthy: false,
    reason: 'GET /apis/ccompat/v7/subjects answered 503',
  });
  for (const body of ['{"subjects":[]}', 'not json']) {
    const odd = await fakeRegistry(200, body);
    assert.deepEqual(await probeRegistry(odd.port), {
      healthy: false,
      reason: 'GET /apis/ccompat/v7/subjects did not return a JSON list',
    });
  }
});

test('probeRegistry: "not listening" on a closed port', async () => {
  const gone = await fakeRegistry(200, '[]');
  await new Promise((resolve) => servers.pop().close(resolve));
  assert.deepEqual(await probeRegistry(gone.port), { healthy: false, reason: 'not listening' });
});
