/** The stack's settings: folders and ports from options, the environment and the defaults. */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** infra/, the folder above this module's. */
export const INFRA_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = dirname(INFRA_DIR);
export const HOST = '127.0.0.1';
export const MIN_JAVA_MAJOR = 17;
export const CCOMPAT_PATH = '/apis/ccompat/v7';
export const FETCH_MANIFEST = '.fetched.json';
export const LOCK_WAIT_MS = 15 * 60_000;
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
export const IS_LINUX = process.platform === 'linux';

/** An expected failure with a message meant for the person running the stack. */
export class StackError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StackError';
  }
}

/**
 * Resolves folders and ports. Explicit options win over the environment, which wins over the defaults.
 *
 * @param {object} [options]
 * @param {string} [options.stateDir]        default FV_STATE_DIR, else <repo>/.local
 * @param {number} [options.kafkaPort]       default FV_KAFKA_PORT, else 9092
 * @param {number} [options.controllerPort]  default FV_KAFKA_CONTROLLER_PORT, else 9093
 * @param {number} [options.registryPort]    default FV_REGISTRY_PORT, else 8090
 * @param {string} [options.jarsDir]         default FV_JARS_DIR, else <stateDir>/jars
 * @param {NodeJS.ProcessEnv} [options.env]  default process.env
 */
export function resolveStackConfig(options = {}) {
  const env = options.env ?? process.env;
  const stateDir = canonicalPath(options.stateDir ?? (env.FV_STATE_DIR || join(REPO_DIR, '.local')));
  const kafkaPort = parsePort(options.kafkaPort ?? env.FV_KAFKA_PORT, 9092, 'FV_KAFKA_PORT');
  const controllerPort = parsePort(
    options.controllerPort ?? env.FV_KAFKA_CONTROLLER_PORT,
    9093,
    'FV_KAFKA_CONTROLLER_PORT',
  );
  const registryPort = parsePort(options.registryPort ?? env.FV_REGISTRY_PORT, 8090, 'FV_REGISTRY_PORT');
  const ports = {
    FV_KAFKA_PORT: kafkaPort,
    FV_KAFKA_CONTROLLER_PORT: controllerPort,
    FV_REGISTRY_PORT: registryPort,
  };
  const seen = new Map();
  for (const [name, port] of Object.entries(ports)) {
    if (seen.has(port)) {
      throw new StackError(`${seen.get(port)} and ${name} are both ${port}; each needs its own port.`);
    }
    seen.set(port, name);
  }
  return {
    env,
    stateDir,
    kafkaPort,
    controllerPort,
    registryPort,
    // Downloaded jars can be shared between state folders (the test stack reuses the main one's).
    jarsDir: canonicalPath(options.jarsDir ?? (env.FV_JARS_DIR || join(stateDir, 'jars'))),
    logsDir: join(stateDir, 'logs'),
    runDir: join(stateDir, 'run'),
    kafkaBrokers: `${HOST}:${kafkaPort}`,
    schemaRegistryUrl: `http://${HOST}:${registryPort}${CCOMPAT_PATH}`,
  };
}

export function parsePort(value, fallback, name) {
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value).trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new StackError(`${name} must be a TCP port between 1 and 65535, got "${value}".`);
  }
  return port;
}

/** Absolute path with symlinks resolved as far as the path exists, so the same folder always has one name. */
export function canonicalPath(path) {
  let existing = resolve(path);
  const rest = [];
  while (!existsSync(existing)) {
    rest.unshift(basename(existing));
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}
