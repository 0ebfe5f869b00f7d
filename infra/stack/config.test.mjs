import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_DIR, StackError, resolveStackConfig } from './config.mjs';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'fv-stack-config-')));

test('defaults: the repository .local folder, 9092/9093/8090, jars inside the state folder', () => {
  const cfg = resolveStackConfig({ env: {} });
  assert.equal(cfg.stateDir, join(realpathSync(REPO_DIR), '.local'));
  assert.deepEqual([cfg.kafkaPort, cfg.controllerPort, cfg.registryPort], [9092, 9093, 8090]);
  assert.equal(cfg.jarsDir, join(cfg.stateDir, 'jars'));
  assert.equal(cfg.kafkaBrokers, '127.0.0.1:9092');
  assert.equal(cfg.schemaRegistryUrl, 'http://127.0.0.1:8090/apis/ccompat/v7');
});

test('the environment overrides the defaults, and options override the environment', () => {
  const env = {
    FV_STATE_DIR: join(dir, 'from-env'),
    FV_KAFKA_PORT: '19092',
    FV_KAFKA_CONTROLLER_PORT: '19093',
    FV_REGISTRY_PORT: '18090',
    FV_JARS_DIR: join(dir, 'jars'),
  };
  const fromEnv = resolveStackConfig({ env });
  assert.equal(fromEnv.stateDir, join(dir, 'from-env'));
  assert.equal(fromEnv.jarsDir, join(dir, 'jars'));
  assert.deepEqual([fromEnv.kafkaPort, fromEnv.controllerPort, fromEnv.registryPort], [19092, 19093, 18090]);
  assert.equal(fromEnv.logsDir, join(dir, 'from-env', 'logs'));
  assert.equal(fromEnv.runDir, join(dir, 'from-env', 'run'));

  const fromOptions = resolveStackConfig({ env, stateDir: join(dir, 'explicit'), kafkaPort: 29092 });
  assert.equal(fromOptions.stateDir, join(dir, 'explicit'));
  assert.equal(fromOptions.kafkaPort, 29092);
  assert.equal(fromOptions.registryPort, 18090);
});

test('refuses a port that is not a TCP port, naming the variable', () => {
  for (const value of ['0', '65536', 'abc', '90 92', '-1']) {
    assert.throws(
      () => resolveStackConfig({ env: { FV_KAFKA_PORT: value } }),
      (error) =>
        error instanceof StackError &&
        error.message.includes('FV_KAFKA_PORT') &&
        error.message.includes(value),
    );
  }
});

test('refuses two components on one port', () => {
  assert.throws(
    () => resolveStackConfig({ env: {}, kafkaPort: 8090 }),
    (error) =>
      error instanceof StackError &&
      error.message === 'FV_KAFKA_PORT and FV_REGISTRY_PORT are both 8090; each needs its own port.',
  );
});
