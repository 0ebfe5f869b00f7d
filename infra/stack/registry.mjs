/** The schema registry (Apicurio, serving the Confluent API) as a component of the stack, and its HTTP probe. */
import { mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { componentHome, componentJars, identityArgs, matchFirst } from './components.mjs';
import { CCOMPAT_PATH, HOST, INFRA_DIR, StackError } from './config.mjs';
import { listFiles } from './fetch.mjs';
import { ensureKafkaTopics } from './kafka-protocol.mjs';

export const SCHEMA_REGISTRY = {
  key: 'schemaRegistry',
  name: 'schema-registry',
  title: 'schema registry',
  pom: join(INFRA_DIR, 'schema-registry', 'pom.xml'),
  dependsOn: 'kafka',
  startTimeoutMs: 120_000,
  stopTimeoutMs: 20_000,
  fetchArgs: (outputDir) => [
    'org.apache.maven.plugins:maven-dependency-plugin:3.10.0:unpack',
    `-DoutputDirectory=${outputDir}`,
    `-DmarkersDirectory=${join(outputDir, '.maven-markers')}`,
  ],
  versionFrom: (files) => matchFirst(files, /^apicurio-registry-app-(.+)-runner\.jar$/),
  ports: (cfg) => [{ port: cfg.registryPort, variable: 'FV_REGISTRY_PORT', role: 'http' }],
  probe: (cfg) => probeRegistry(cfg.registryPort),
  prepare: prepareRegistry,
  configFiles: () => ({}),
  launchArgs: registryLaunchArgs,
  afterStart: applyRegistryDefaults,
  describe: (cfg) => ({
    host: HOST,
    port: cfg.registryPort,
    url: cfg.schemaRegistryUrl,
    journalTopic: REGISTRY_TOPICS.journal,
  }),
};

// --- Schema registry -------------------------------------------------------------------------------------

/**
 * The registry keeps its state in a journal topic on our broker (Apicurio "kafkasql" storage), the way
 * Redpanda keeps schemas in its _schemas topic: schema ids live beside the messages that reference them,
 * and a registry killed at any moment loses nothing (H2 file storage does lose committed schemas when the
 * process is killed). Apicurio would create these topics with the broker's 7-day retention, which would
 * erase every schema a week later, so they are created here first, kept forever.
 */
export const REGISTRY_TOPICS = {
  journal: '_schema-registry-journal',
  snapshots: '_schema-registry-snapshots',
  events: '_schema-registry-events',
};

export async function prepareRegistry(cfg, java, log) {
  mkdirSync(join(componentHome(cfg, SCHEMA_REGISTRY), 'snapshots'), { recursive: true });
  const created = await ensureKafkaTopics(
    cfg.kafkaPort,
    [REGISTRY_TOPICS.journal, REGISTRY_TOPICS.snapshots].map((name) => ({
      name,
      configs: { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' },
    })),
  );
  for (const name of created) log(`created topic ${name} (kept forever) on the Kafka broker`);
}

/**
 * A Confluent registry reports BACKWARD as its global compatibility level. Apicurio enforces the default rule
 * it is started with but reports NONE until a level is stored, so an empty registry gets BACKWARD stored; a
 * level set through the API once subjects exist is left alone.
 */
export async function applyRegistryDefaults(cfg, log) {
  const config = await registryCall(cfg.registryPort, 'GET', `${CCOMPAT_PATH}/config`);
  const subjects = await registryCall(cfg.registryPort, 'GET', `${CCOMPAT_PATH}/subjects`);
  if (config.status !== 200 || subjects.status !== 200) {
    throw new StackError(
      `The schema registry answered ${config.status}/${subjects.status} right after start.`,
    );
  }
  if (JSON.parse(config.body).compatibilityLevel !== 'NONE' || JSON.parse(subjects.body).length > 0) return;
  const response = await registryCall(cfg.registryPort, 'PUT', `${CCOMPAT_PATH}/config`, {
    body: { compatibility: 'BACKWARD' },
  });
  if (response.status !== 200) {
    throw new StackError(
      `Setting the registry's global compatibility to BACKWARD failed: ${response.status} ${response.body}`,
    );
  }
  log('set the schema registry global compatibility level to BACKWARD');
}

export function registryLaunchArgs(cfg) {
  const runner = matchFirst(listFiles(componentJars(cfg, SCHEMA_REGISTRY)), /^(.+-runner\.jar)$/);
  if (!runner) throw new StackError(`No *-runner.jar in ${componentJars(cfg, SCHEMA_REGISTRY)}.`);
  return [
    '-Xms128m',
    '-Xmx512m',
    // The registry answers a few small lookups that clients cache; starting a quarter faster is worth more
    // than the peak speed of the optimizing compiler.
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    ...identityArgs(cfg, SCHEMA_REGISTRY),
    `-Dquarkus.http.host=${HOST}`,
    `-Dquarkus.http.port=${cfg.registryPort}`,
    '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n',
    '-Dapicurio.storage.kind=kafkasql',
    `-Dapicurio.kafkasql.bootstrap.servers=${cfg.kafkaBrokers}`,
    `-Dapicurio.kafkasql.topic=${REGISTRY_TOPICS.journal}`,
    `-Dapicurio.kafkasql.snapshots.topic=${REGISTRY_TOPICS.snapshots}`,
    `-Dapicurio.events.kafka.topic=${REGISTRY_TOPICS.events}`,
    `-Dapicurio.storage.snapshot.location=${join(componentHome(cfg, SCHEMA_REGISTRY), 'snapshots')}`,
    // At start the registry polls the (normally empty) snapshots topic for this long before it replays the
    // journal; the 5 s default is a large part of its start-up time.
    '-Dapicurio.kafkasql.consumer.poll.timeout=1000',
    // The journal is replayed into an in-memory database at start; a small pool is plenty for it.
    '-Dapicurio.datasource.jdbc.initial-size=2',
    '-Dapicurio.datasource.jdbc.min-size=2',
    '-Dapicurio.datasource.jdbc.max-size=20',
    // Behave like a Confluent registry: new subjects are BACKWARD compatible, and re-registering a schema
    // that differs only in formatting finds the existing version instead of creating a new one.
    '-Dapicurio.rules.global.compatibility=BACKWARD',
    '-Dapicurio.ccompat.use-canonical-hash=true',
    '-jar',
    join(componentJars(cfg, SCHEMA_REGISTRY), runner),
  ];
}

/** One HTTP exchange with the registry on the loopback address: resolves { status, body } or rejects. */
export function registryCall(port, method, path, { body, host = HOST, timeoutMs = 3000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      {
        host,
        port,
        method,
        path,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/vnd.schemaregistry.v1+json' } : {}),
        },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => resolvePromise({ status: res.statusCode, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Asks the registry for its subjects through the Confluent API: the HTTP server is up and storage answers.
 *
 * @returns {Promise<{ healthy: boolean, reason?: string, subjects?: number }>}
 */
export async function probeRegistry(port, { host = HOST, timeoutMs = 3000 } = {}) {
  const path = `${CCOMPAT_PATH}/subjects`;
  let response;
  try {
    response = await registryCall(port, 'GET', path, { host, timeoutMs });
  } catch (error) {
    return { healthy: false, reason: error.code === 'ECONNREFUSED' ? 'not listening' : error.message };
  }
  if (response.status !== 200) return { healthy: false, reason: `GET ${path} answered ${response.status}` };
  try {
    const subjects = JSON.parse(response.body);
    if (Array.isArray(subjects)) return { healthy: true, subjects: subjects.length };
  } catch {
    // reported below
  }
  return { healthy: false, reason: `GET ${path} did not return a JSON list` };
}
