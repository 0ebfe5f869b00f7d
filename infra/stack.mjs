#!/usr/bin/env node
/**
 * The local event infrastructure, without Docker: a real Apache Kafka broker (KRaft, one node acting as
 * broker and controller) and a real Apicurio Registry serving the Confluent schema registry API, both
 * run from jars resolved from Maven Central into the state folder.
 *
 *   node infra/stack.mjs up|down|status [--json]
 *
 * The same operations are exported (`up`, `down`, `status`) for test harnesses. Only node: built-ins
 * are used, so this runs before `pnpm install`. See infra/README.md for ports, folders and variables.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const INFRA_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = dirname(INFRA_DIR);
const HOST = '127.0.0.1';
const MIN_JAVA_MAJOR = 17;
const CCOMPAT_PATH = '/apis/ccompat/v7';
const FETCH_MANIFEST = '.fetched.json';
const LOCK_WAIT_MS = 15 * 60_000;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
const IS_LINUX = process.platform === 'linux';

/** An expected failure with a message meant for the person running the stack. */
export class StackError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StackError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------------

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

function parsePort(value, fallback, name) {
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value).trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new StackError(`${name} must be a TCP port between 1 and 65535, got "${value}".`);
  }
  return port;
}

/** Absolute path with symlinks resolved as far as the path exists, so the same folder always has one name. */
function canonicalPath(path) {
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

// ---------------------------------------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------------------------------------

const KAFKA = {
  key: 'kafka',
  name: 'kafka',
  title: 'Kafka broker',
  pom: join(INFRA_DIR, 'kafka', 'pom.xml'),
  startTimeoutMs: 90_000,
  stopTimeoutMs: 30_000,
  fetchArgs: (outputDir) => [
    'org.apache.maven.plugins:maven-dependency-plugin:3.10.0:copy-dependencies',
    `-DoutputDirectory=${outputDir}`,
    '-DincludeScope=runtime',
  ],
  versionFrom: (files) => matchFirst(files, /^kafka_[\d.]+-(.+)\.jar$/),
  ports: (cfg) => [
    { port: cfg.kafkaPort, variable: 'FV_KAFKA_PORT', role: 'broker' },
    { port: cfg.controllerPort, variable: 'FV_KAFKA_CONTROLLER_PORT', role: 'controller' },
  ],
  probe: (cfg) => probeKafka(cfg.kafkaPort),
  prepare: prepareKafka,
  configFiles: kafkaConfigFiles,
  launchArgs: kafkaLaunchArgs,
  afterStart: async () => {},
  describe: (cfg) => ({
    host: HOST,
    port: cfg.kafkaPort,
    controllerPort: cfg.controllerPort,
    brokers: cfg.kafkaBrokers,
    dataDir: join(cfg.stateDir, 'kafka', 'data'),
  }),
};

const SCHEMA_REGISTRY = {
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

const COMPONENTS = [KAFKA, SCHEMA_REGISTRY];

const componentHome = (cfg, component) => join(cfg.stateDir, component.name);
const componentJars = (cfg, component) => join(cfg.jarsDir, component.name);
const componentLog = (cfg, component) => join(cfg.logsDir, `${component.name}.log`);
const componentPidFile = (cfg, component) => join(cfg.runDir, `${component.name}.pid`);

/** JVM arguments that mark a process as this component of this stack; nothing else carries both. */
function identityArgs(cfg, component) {
  return [`-Dfv.stack.dir=${cfg.stateDir}`, `-Dfv.stack.component=${component.name}`];
}

function matchFirst(files, pattern) {
  for (const file of files) {
    const match = pattern.exec(basename(file));
    if (match) return match[1];
  }
  return null;
}

// --- Kafka ---------------------------------------------------------------------------------------------

function kafkaFiles(cfg) {
  const home = componentHome(cfg, KAFKA);
  return {
    home,
    dataDir: join(home, 'data'),
    serverProperties: join(home, 'server.properties'),
    log4jProperties: join(home, 'log4j.properties'),
    clusterIdFile: join(home, 'cluster-id'),
  };
}

function kafkaClasspath(cfg) {
  return `${componentJars(cfg, KAFKA)}${sep}*`;
}

/** The broker's configuration files and their content for the current ports and folders. */
function kafkaConfigFiles(cfg) {
  const files = kafkaFiles(cfg);
  const generated = '# Generated by infra/stack.mjs on every start; change the script, not this file.';
  return {
    [files.serverProperties]: [
      generated,
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${HOST}:${cfg.controllerPort}`,
      `listeners=PLAINTEXT://${HOST}:${cfg.kafkaPort},CONTROLLER://${HOST}:${cfg.controllerPort}`,
      `advertised.listeners=PLAINTEXT://${HOST}:${cfg.kafkaPort}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${files.dataDir}`,
      'num.partitions=1',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=true',
      // After an unclean stop the restarted broker waits for its previous registration's session to expire
      // before it may register again; a short session keeps that wait at a few seconds (default 9 s).
      'broker.heartbeat.interval.ms=1000',
      'broker.session.timeout.ms=3000',
      '',
    ].join('\n'),
    [files.log4jProperties]: [
      generated,
      'log4j.rootLogger=WARN, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.server.KafkaRaftServer=INFO',
      'log4j.logger.kafka.server.BrokerServer=INFO',
      'log4j.logger.kafka.server.ControllerServer=INFO',
      '',
    ].join('\n'),
  };
}

/** Writes the broker configuration (ports may have changed since the last start) and formats storage once. */
async function prepareKafka(cfg, java, log) {
  const files = kafkaFiles(cfg);
  mkdirSync(files.dataDir, { recursive: true });
  for (const [file, content] of Object.entries(kafkaConfigFiles(cfg))) writeFileSync(file, content);

  if (existsSync(join(files.dataDir, 'meta.properties'))) return;
  let clusterId = existsSync(files.clusterIdFile) ? readFileSync(files.clusterIdFile, 'utf8').trim() : '';
  if (!clusterId) {
    clusterId = newClusterId();
    writeFileSync(files.clusterIdFile, `${clusterId}\n`);
  }
  log(`formatting Kafka storage in ${files.dataDir} (cluster id ${clusterId})`);
  const logFile = componentLog(cfg, KAFKA);
  appendFileSync(logFile, `\n--- ${new Date().toISOString()} formatting storage ---\n`);
  const result = await run(
    java,
    [
      `-Dlog4j.configuration=file:${files.log4jProperties}`,
      '-cp',
      kafkaClasspath(cfg),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      files.serverProperties,
      '--ignore-formatted',
    ],
    { cwd: files.home, env: cfg.env, logFile },
  );
  if (result.code !== 0) {
    throw new StackError(
      `Formatting Kafka storage failed (exit ${result.code}):\n${lastLines(result.output, 20)}`,
    );
  }
}

/** 16 random bytes as unpadded base64url, as Kafka expects; never with a leading '-' (read as a flag). */
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function kafkaLaunchArgs(cfg) {
  const files = kafkaFiles(cfg);
  return [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    ...identityArgs(cfg, KAFKA),
    `-Dlog4j.configuration=file:${files.log4jProperties}`,
    '-cp',
    kafkaClasspath(cfg),
    'kafka.Kafka',
    files.serverProperties,
  ];
}

// --- Schema registry -------------------------------------------------------------------------------------

/**
 * The registry keeps its state in a journal topic on our broker (Apicurio "kafkasql" storage), the way
 * Redpanda keeps schemas in its _schemas topic: schema ids live beside the messages that reference them,
 * and a registry killed at any moment loses nothing (H2 file storage does lose committed schemas when the
 * process is killed). Apicurio would create these topics with the broker's 7-day retention, which would
 * erase every schema a week later, so they are created here first, kept forever.
 */
const REGISTRY_TOPICS = {
  journal: '_schema-registry-journal',
  snapshots: '_schema-registry-snapshots',
  events: '_schema-registry-events',
};

async function prepareRegistry(cfg, java, log) {
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
async function applyRegistryDefaults(cfg, log) {
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

function registryLaunchArgs(cfg) {
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

// ---------------------------------------------------------------------------------------------------------
// Kafka protocol and health probes
// ---------------------------------------------------------------------------------------------------------

const KAFKA_API = {
  produce: 0,
  fetch: 1,
  metadata: 3,
  apiVersions: 18,
  createTopics: 19,
  incrementalAlterConfigs: 44,
};
const KAFKA_TOPIC_ALREADY_EXISTS = 36;

/** Writes Kafka protocol primitives (the classic, non-flexible encodings). */
class KafkaWriter {
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
class KafkaReader {
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
function kafkaExchange(port, requests, { host = HOST, timeoutMs = 3000 } = {}) {
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
async function ensureKafkaTopics(port, topics) {
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

/** One HTTP exchange with the registry on the loopback address: resolves { status, body } or rejects. */
function registryCall(port, method, path, { body, host = HOST, timeoutMs = 3000 } = {}) {
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

/** A busy process can miss one probe; only a few misses in a row make it unhealthy. */
async function probeSteadily(cfg, component, attempts = 3) {
  let result;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    result = await component.probe(cfg);
    if (result.healthy) return result;
    if (attempt < attempts) await sleep(1000);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Processes and ports
// ---------------------------------------------------------------------------------------------------------

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The command line of a process as a list of arguments (on Linux) or one string (elsewhere), or null. */
function commandLine(pid) {
  if (IS_LINUX) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      return null;
    }
  }
  const result = spawnSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() ? [result.stdout.trim()] : null;
}

function describeCommand(args) {
  if (!args || args.length === 0) return 'unknown command';
  const text = args.join(' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** True when `pid` is a live process started by this stack (same state folder) as `component`. */
function isOurs(cfg, component, pid) {
  if (!pid || !isAlive(pid)) return false;
  const args = commandLine(pid);
  if (!args || args.length === 0) return false;
  const markers = identityArgs(cfg, component);
  if (IS_LINUX) return markers.every((marker) => args.includes(marker));
  return markers.every((marker) => `${args[0]} `.includes(`${marker} `));
}

/** Why a running process no longer matches what would be started now (other ports, options), or null. */
function configurationDrift(cfg, component, pid) {
  const expected = component.launchArgs(cfg);
  const actual = commandLine(pid);
  if (!actual) return null;
  const same = IS_LINUX
    ? actual.length === expected.length + 1 && expected.every((arg, index) => arg === actual[index + 1])
    : actual[0].endsWith(expected.join(' '));
  if (!same) return 'its launch options changed';
  for (const [file, content] of Object.entries(component.configFiles(cfg))) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content) return `${basename(file)} changed`;
  }
  return null;
}

function readPidFile(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Processes (Linux) carrying this component's identity, whatever the pid file says. */
function scanForComponent(cfg, component) {
  if (!IS_LINUX) return [];
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && isOurs(cfg, component, pid)) found.push(pid);
  }
  return found;
}

/**
 * Finds the running process of a component: the pid file if it names one of ours, else (the pid file was
 * lost) a process carrying our identity. With `repair`, stale pid files are removed and found ones rewritten.
 *
 * @returns {{ pid: number } | null}
 */
function locate(cfg, component, { repair, log }) {
  const pidFile = componentPidFile(cfg, component);
  const recorded = readPidFile(pidFile);
  if (recorded && isOurs(cfg, component, recorded)) return { pid: recorded };
  if (existsSync(pidFile) && repair) {
    log(
      `removing stale pid file ${pidFile}` +
        (recorded ? ` (pid ${recorded} is not our ${component.name})` : ''),
    );
    rmSync(pidFile, { force: true });
  }
  let candidates = scanForComponent(cfg, component);
  if (!IS_LINUX) {
    candidates = component
      .ports(cfg)
      .map(({ port }) => findListener(port)?.pid)
      .filter((pid) => pid && isOurs(cfg, component, pid));
  }
  if (candidates.length === 0) return null;
  const pid = candidates[0];
  if (repair) {
    log(`found our ${component.name} running as pid ${pid} without a pid file; adopting it`);
    writeFileSync(pidFile, `${pid}\n`);
  }
  return { pid };
}

/** How long ago a process started, or null when that cannot be told. */
function processAgeMs(pid) {
  const result = spawnSync('ps', ['-o', 'etimes=', '-p', String(pid)], { encoding: 'utf8' });
  const seconds = Number.parseInt(result.stdout ?? '', 10);
  return result.status === 0 && Number.isFinite(seconds) ? seconds * 1000 : null;
}

/** Tries to bind the port on the loopback address the stack uses. */
function portAvailability(port) {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.unref();
    server.once('error', (error) => resolvePromise({ free: false, code: error.code }));
    server.listen({ port, host: HOST, exclusive: true }, () =>
      server.close(() => resolvePromise({ free: true })),
    );
  });
}

/** The process listening on a TCP port, as far as this user may see: { pid, command } or { pid: null }. */
function findListener(port) {
  if (IS_LINUX) {
    const inodes = new Set();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text;
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const columns = line.trim().split(/\s+/);
        if (columns.length < 10 || columns[3] !== '0A') continue;
        const local = columns[1];
        if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && columns[9] !== '0') {
          inodes.add(columns[9]);
        }
      }
    }
    if (inodes.size === 0) return null;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let descriptors;
      try {
        descriptors = readdirSync(`/proc/${entry}/fd`);
      } catch {
        continue;
      }
      for (const descriptor of descriptors) {
        let target;
        try {
          target = readlinkSync(`/proc/${entry}/fd/${descriptor}`);
        } catch {
          continue;
        }
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match && inodes.has(match[1])) {
          const pid = Number(entry);
          return { pid, command: describeCommand(commandLine(pid)) };
        }
      }
    }
    return { pid: null };
  }
  const result = spawnSync('lsof', ['-nP', '-t', `-iTCP:${port}`, '-sTCP:LISTEN'], { encoding: 'utf8' });
  const pid = Number((result.stdout ?? '').split('\n')[0]);
  if (!pid) return result.error ? { pid: null } : null;
  return { pid, command: describeCommand(commandLine(pid)) };
}

/** Ports of `component` that something other than `ownPid` holds, each with a sentence naming the holder. */
async function portConflicts(cfg, component, ownPid) {
  const conflicts = [];
  for (const { port, variable, role } of component.ports(cfg)) {
    const availability = await portAvailability(port);
    if (availability.free) continue;
    const what = `port ${port} (${component.name} ${role}, ${variable})`;
    if (availability.code === 'EACCES') {
      conflicts.push(`${what} may not be bound by this user (permission denied)`);
      continue;
    }
    const holder = findListener(port);
    if (holder?.pid && holder.pid === ownPid) continue;
    const who = holder?.pid ? `pid ${holder.pid} (${holder.command})` : 'a process this user cannot inspect';
    conflicts.push(`${what} is in use by ${who}, which is not part of the stack in ${cfg.stateDir}`);
  }
  return conflicts;
}

/** SIGTERM, then SIGKILL after the component's grace period. Resolves once the process is gone. */
async function stopProcess(cfg, component, pid, log) {
  const started = Date.now();
  const gone = () => !isOurs(cfg, component, pid);
  const signal = (name) => {
    try {
      process.kill(pid, name);
    } catch (error) {
      if (error.code !== 'ESRCH') throw error;
    }
  };
  signal('SIGTERM');
  signal('SIGCONT'); // a stopped (suspended) process handles SIGTERM only once it runs again
  if (await waitUntil(gone, component.stopTimeoutMs)) return { forced: false, ms: Date.now() - started };
  log(
    `${component.title} (pid ${pid}) did not stop within ${component.stopTimeoutMs / 1000} s; ` +
      'sending SIGKILL',
  );
  signal('SIGKILL');
  if (await waitUntil(gone, 10_000)) return { forced: true, ms: Date.now() - started };
  throw new StackError(`${capitalize(component.title)} (pid ${pid}) is still running after SIGKILL.`);
}

async function waitUntil(condition, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function sleep(ms) {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

/** Runs a command to completion, collecting its output (and appending it to `logFile` when given). */
function run(command, args, { cwd, env, logFile, truncateLog = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    let child;
    try {
      child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      reject(error);
      return;
    }
    if (logFile && truncateLog) writeFileSync(logFile, '');
    const collect = (chunk) => {
      output += chunk;
      if (logFile) appendFileSync(logFile, chunk);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code: code ?? signal, output }));
  });
}

function lastLines(text, count) {
  return text
    .trimEnd()
    .split('\n')
    .slice(-count)
    .map((line) => `    ${line}`)
    .join('\n');
}

/** The end of a log file from byte `from` on (what the current start wrote). */
function logTail(file, from, count = 25) {
  try {
    const size = statSync(file).size;
    const start = Math.max(from, size - 64 * 1024);
    const buffer = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    return lastLines(buffer.toString('utf8'), count);
  } catch {
    return '    (no log output)';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tools: Java and Maven
// ---------------------------------------------------------------------------------------------------------

async function resolveJava(cfg) {
  const javaHome = cfg.env.JAVA_HOME;
  let java = 'java';
  if (javaHome) {
    java = join(javaHome, 'bin', 'java');
    if (!existsSync(java)) {
      throw new StackError(
        `JAVA_HOME is ${javaHome}, but ${java} does not exist. Point JAVA_HOME at a JDK ${MIN_JAVA_MAJOR} ` +
          'or newer, or unset it to use java from PATH.',
      );
    }
  }
  let result;
  try {
    result = await run(java, ['-version'], { env: cfg.env });
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new StackError(
        `Java ${MIN_JAVA_MAJOR} or newer is required to run Kafka and the schema registry, but no java ` +
          'was found: JAVA_HOME is not set and java is not on PATH. Install a JDK (e.g. ' +
          `apt-get install openjdk-${MIN_JAVA_MAJOR}-jdk-headless) or set JAVA_HOME.`,
      );
    }
    throw error;
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.output);
  if (result.code !== 0 || !match) {
    throw new StackError(
      `Could not read the Java version from "${java} -version":\n${lastLines(result.output, 5)}`,
    );
  }
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < MIN_JAVA_MAJOR) {
    throw new StackError(
      `Java ${MIN_JAVA_MAJOR} or newer is required; ${java} is Java ${major}. Install a newer JDK or set ` +
        'JAVA_HOME to one.',
    );
  }
  return java;
}

async function ensureMaven(cfg) {
  try {
    const result = await run('mvn', ['-v'], { env: cfg.env });
    if (result.code === 0) return;
    throw new StackError(`"mvn -v" failed (exit ${result.code}):\n${lastLines(result.output, 5)}`);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    throw new StackError(
      'Maven (mvn, 3.6.3 or newer) is needed once to download the Kafka and schema registry jars from ' +
        'Maven Central, but mvn is not on PATH. Install it (e.g. apt-get install maven) and run this again.',
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Jars
// ---------------------------------------------------------------------------------------------------------

function listFiles(dir) {
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name !== FETCH_MANIFEST) files.push(relative(dir, path));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files.sort();
}

function pomDigest(component) {
  return createHash('sha256').update(readFileSync(component.pom)).digest('hex');
}

function readManifest(cfg, component) {
  try {
    return JSON.parse(readFileSync(join(componentJars(cfg, component), FETCH_MANIFEST), 'utf8'));
  } catch {
    return null;
  }
}

/** The jars are complete when the manifest written after the last fetch matches the pom and every file. */
function jarsCurrent(cfg, component) {
  const manifest = readManifest(cfg, component);
  if (!manifest || manifest.pomSha256 !== pomDigest(component) || !Array.isArray(manifest.files))
    return false;
  if (manifest.files.length === 0) return false;
  const dir = componentJars(cfg, component);
  return manifest.files.every(([file, size]) => {
    try {
      return statSync(join(dir, file)).size === size;
    } catch {
      return false;
    }
  });
}

async function ensureJars(cfg, component, log) {
  if (jarsCurrent(cfg, component)) return { fetched: false };
  await ensureMaven(cfg);
  const target = componentJars(cfg, component);
  const staging = `${target}.partial-${process.pid}`;
  const fetchLog = join(cfg.logsDir, `fetch-${component.name}.log`);
  // Leftovers of interrupted fetches (the lock guarantees no other fetch is running).
  for (const entry of readdirSync(cfg.jarsDir)) {
    if (entry.startsWith(`${component.name}.partial-`)) {
      rmSync(join(cfg.jarsDir, entry), { recursive: true, force: true });
    }
  }
  mkdirSync(staging, { recursive: true });
  log(`fetching ${component.title} jars from Maven Central (log: ${fetchLog})`);
  const started = Date.now();
  const mavenArgs = [
    '-B',
    '-ntp',
    '-Dstyle.color=never',
    '-f',
    component.pom,
    ...component.fetchArgs(staging),
  ];
  const result = await run('mvn', mavenArgs, {
    cwd: dirname(component.pom),
    env: cfg.env,
    logFile: fetchLog,
    truncateLog: true,
  });
  if (result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new StackError(
      `Maven could not fetch the ${component.title} jars (exit ${result.code}); full log in ${fetchLog}:\n` +
        lastLines(result.output, 15),
    );
  }
  rmSync(join(staging, '.maven-markers'), { recursive: true, force: true });
  const files = listFiles(staging);
  if (files.length === 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new StackError(
      `Maven reported success but left no files for the ${component.title}; see ${fetchLog}.`,
    );
  }
  const durationMs = Date.now() - started;
  writeFileSync(
    join(staging, FETCH_MANIFEST),
    `${JSON.stringify(
      {
        pomSha256: pomDigest(component),
        fetchedAt: new Date().toISOString(),
        durationMs,
        files: files.map((file) => [file, statSync(join(staging, file)).size]),
      },
      null,
      1,
    )}\n`,
  );
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  log(`fetched ${files.length} files for the ${component.title} in ${(durationMs / 1000).toFixed(1)} s`);
  return { fetched: true, ms: durationMs };
}

function componentVersion(cfg, component) {
  const manifest = readManifest(cfg, component);
  return manifest?.files ? component.versionFrom(manifest.files.map(([file]) => file)) : null;
}

// ---------------------------------------------------------------------------------------------------------
// Lock: one stack operation at a time per state folder, across processes
// ---------------------------------------------------------------------------------------------------------

const heldLocks = new Map();

/** Start time of a process in clock ticks since boot (Linux), to tell a live holder from a reused pid. */
function processStartTicks(pid) {
  if (!IS_LINUX) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function lockIsStale(content, mtimeMs) {
  let holder;
  try {
    holder = JSON.parse(content);
  } catch {
    // Created but not yet written, or torn by a crash: give a writer a moment before calling it stale.
    return Date.now() - mtimeMs > 5000;
  }
  if (!Number.isInteger(holder.pid) || !isAlive(holder.pid)) return true;
  return Boolean(
    holder.startTicks && processStartTicks(holder.pid) && processStartTicks(holder.pid) !== holder.startTicks,
  );
}

/** Moves a stale lock aside; if it turns out to be a fresh lock that replaced the stale one, puts it back. */
function removeStaleLock(lockFile, observed) {
  const aside = `${lockFile}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if (error.code === 'ENOENT') return;
    throw error;
  }
  let content = null;
  try {
    content = readFileSync(aside, 'utf8');
  } catch {
    // gone already
  }
  if (content !== null && content !== observed) {
    try {
      linkSync(aside, lockFile);
    } catch {
      // another waiter took the slot meanwhile; the lock it created stands
    }
  }
  rmSync(aside, { force: true });
}

async function withLock(cfg, operation, log, action) {
  mkdirSync(cfg.runDir, { recursive: true });
  const lockFile = join(cfg.runDir, 'stack.lock');
  const record = JSON.stringify({
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    operation,
    since: new Date().toISOString(),
  });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(lockFile, record, { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let content;
    let mtimeMs;
    try {
      content = readFileSync(lockFile, 'utf8');
      mtimeMs = statSync(lockFile).mtimeMs;
    } catch (error) {
      if (error.code === 'ENOENT') continue;
      throw error;
    }
    if (lockIsStale(content, mtimeMs)) {
      log(`removing stale lock ${lockFile}`);
      removeStaleLock(lockFile, content);
      continue;
    }
    if (!announced) {
      let holder = 'another process';
      try {
        const parsed = JSON.parse(content);
        holder = `pid ${parsed.pid}, "${parsed.operation}" since ${parsed.since}`;
      } catch {
        // still being written
      }
      log(`waiting for another stack operation to finish (${holder})`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new StackError(
        `Another stack operation has held ${lockFile} for over ${LOCK_WAIT_MS / 60_000} minutes. ` +
          'If no other stack command is running, delete that file.',
      );
    }
    await sleep(200);
  }
  heldLocks.set(lockFile, record);
  try {
    return await action();
  } finally {
    releaseLock(lockFile);
  }
}

function releaseLock(lockFile) {
  const record = heldLocks.get(lockFile);
  heldLocks.delete(lockFile);
  try {
    if (readFileSync(lockFile, 'utf8') === record) unlinkSync(lockFile);
  } catch {
    // already gone
  }
}

/** Releases the locks this process holds; for signal handlers of embedding processes. */
export function releaseLocks() {
  for (const lockFile of [...heldLocks.keys()]) releaseLock(lockFile);
}

// ---------------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------------

function ensureStateDirs(cfg) {
  for (const dir of [cfg.stateDir, cfg.jarsDir, cfg.logsDir, cfg.runDir]) mkdirSync(dir, { recursive: true });
}

/** Keeps one previous log when a log outgrows LOG_ROTATE_BYTES; done at start, while nothing writes to it. */
function rotateLog(file) {
  try {
    if (statSync(file).size > LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

async function launch(cfg, component, java, log) {
  const logFile = componentLog(cfg, component);
  const pidFile = componentPidFile(cfg, component);
  rotateLog(logFile);
  appendFileSync(logFile, `\n--- ${new Date().toISOString()} starting ${component.title} ---\n`);
  const logOffset = statSync(logFile).size;
  const args = component.launchArgs(cfg);
  const output = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(java, args, {
      cwd: componentHome(cfg, component),
      env: cfg.env,
      detached: true,
      stdio: ['ignore', output, output],
    });
  } finally {
    closeSync(output);
  }
  await new Promise((resolvePromise, reject) => {
    child.once('spawn', resolvePromise);
    child.once('error', reject);
  });
  let exit = null;
  child.once('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `exit code ${code}`));
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  log(`started ${component.title} (pid ${child.pid}); waiting until it is usable`);
  return { pid: child.pid, logOffset, exited: () => exit };
}

async function waitUsable(cfg, component, { pid, deadline, exited, logOffset = 0 }) {
  const logFile = componentLog(cfg, component);
  const name = `${capitalize(component.title)} (pid ${pid})`;
  for (;;) {
    const health = await component.probe(cfg);
    if (health.healthy) return health;
    const exit = exited?.() ?? (isOurs(cfg, component, pid) ? null : 'exited');
    if (exit) {
      rmSync(componentPidFile(cfg, component), { force: true });
      throw new StackError(
        `${name} stopped during start-up (${exit}). Last lines of ${logFile}:\n` +
          logTail(logFile, logOffset),
      );
    }
    if (Date.now() >= deadline) {
      const seconds = Math.round(component.startTimeoutMs / 1000);
      throw new StackError(
        `${name} was not usable after ${seconds} s (${health.reason}). Last lines of ${logFile}:\n` +
          logTail(logFile, logOffset),
      );
    }
    await sleep(component === KAFKA ? 250 : 500);
  }
}

async function startComponent(cfg, plan, java, log) {
  const { component } = plan;
  const started = Date.now();
  await component.prepare(cfg, java, log);
  const launched = await launch(cfg, component, java, log);
  try {
    await waitUsable(cfg, component, { ...launched, deadline: Date.now() + component.startTimeoutMs });
  } catch (error) {
    if (isOurs(cfg, component, launched.pid)) {
      await stopProcess(cfg, component, launched.pid, log);
      rmSync(componentPidFile(cfg, component), { force: true });
    }
    throw error;
  }
  await component.afterStart(cfg, log);
  plan.pid = launched.pid;
  plan.startMs = Date.now() - started;
  log(`${component.title} is usable after ${(plan.startMs / 1000).toFixed(1)} s`);
}

function componentSummary(cfg, plan) {
  const { component } = plan;
  return {
    status: plan.action,
    pid: plan.pid,
    healthy: true,
    ...component.describe(cfg),
    version: componentVersion(cfg, component),
    log: componentLog(cfg, component),
    ...(plan.reason ? { reason: plan.reason } : {}),
    ...(plan.fetch?.fetched ? { fetchMs: plan.fetch.ms } : {}),
    ...(plan.startMs !== undefined ? { startMs: plan.startMs } : {}),
  };
}

/**
 * Starts whatever is not running (fetching jars and formatting storage the first time), restarts what runs
 * but does not answer, reuses what is healthy, and resolves once Kafka and the registry are usable.
 *
 * @param {object} [options] see resolveStackConfig, plus `log(message)` for progress lines
 * @returns {Promise<{ kafkaBrokers: string, schemaRegistryUrl: string, stateDir: string,
 *   components: { kafka: object, schemaRegistry: object }, durationMs: number }>}
 */
export async function up(options = {}) {
  const began = Date.now();
  const cfg = resolveStackConfig(options);
  const log = options.log ?? (() => {});
  ensureStateDirs(cfg);
  return withLock(cfg, 'up', log, async () => {
    const plans = [];
    const conflicts = [];
    for (const component of COMPONENTS) {
      const plan = { component, action: 'started', pid: null };
      const running = locate(cfg, component, { repair: true, log });
      if (running) {
        plan.pid = running.pid;
        plan.action = 'restarted';
        plan.reason = jarsCurrent(cfg, component)
          ? configurationDrift(cfg, component, running.pid)
          : 'its jars changed or are incomplete';
        if (!plan.reason) {
          let health = await probeSteadily(cfg, component);
          // A process younger than the start-up timeout may still be starting (an earlier `up` was
          // interrupted while waiting for it): give it the rest of that time before replacing it.
          const age = processAgeMs(running.pid);
          const graceEnds = age === null ? 0 : Date.now() - age + component.startTimeoutMs;
          if (!health.healthy && Date.now() < graceEnds) {
            log(`${component.title} (pid ${running.pid}) is still starting; waiting for it`);
            await waitUntil(
              async () => (health = await component.probe(cfg)).healthy,
              graceEnds - Date.now(),
              500,
            );
          }
          if (health.healthy) plan.action = 'reused';
          else plan.reason = `running but not usable: ${health.reason}`;
        }
      }
      if (plan.action !== 'reused') conflicts.push(...(await portConflicts(cfg, component, running?.pid)));
      plans.push(plan);
    }
    if (conflicts.length > 0) {
      throw new StackError(
        `Cannot start the local stack:\n${conflicts.map((line) => `  - ${line}`).join('\n')}\n` +
          'Stop that process, or choose other ports with the variables named above.',
      );
    }

    const pending = plans.filter((plan) => plan.action !== 'reused');
    if (pending.length > 0) {
      const java = await resolveJava(cfg);
      await Promise.all(
        pending
          .filter((plan) => plan.pid)
          .map(async (plan) => {
            log(`restarting ${plan.component.title} (pid ${plan.pid}): ${plan.reason}`);
            await stopProcess(cfg, plan.component, plan.pid, log);
            rmSync(componentPidFile(cfg, plan.component), { force: true });
          }),
      );
      // Fetches run one after the other (one Maven at a time). Each component starts as soon as its jars are
      // in and what it depends on is usable: the registry keeps its storage on the broker.
      let fetches = Promise.resolve();
      const starts = new Map();
      for (const plan of pending) {
        const fetched = fetches.then(() => ensureJars(cfg, plan.component, log));
        fetches = fetched.catch(() => {});
        const dependency = starts.get(plan.component.dependsOn)?.catch(() => {
          throw Object.assign(
            new StackError(
              `The ${plan.component.title} was not started because the Kafka broker did not start.`,
            ),
            { dependencyFailed: true },
          );
        });
        starts.set(
          plan.component.key,
          Promise.all([fetched, dependency]).then(([fetch]) => {
            plan.fetch = fetch;
            return startComponent(cfg, plan, java, log);
          }),
        );
      }
      const outcomes = await Promise.allSettled(starts.values());
      await fetches; // never leave a Maven run behind once the lock is released
      const failures = outcomes
        .filter((outcome) => outcome.status === 'rejected')
        .map((outcome) => outcome.reason);
      const causes = failures.filter((failure) => !failure.dependencyFailed);
      if (causes.length === 1) throw causes[0];
      if (causes.length > 1) throw new StackError(causes.map((cause) => cause.message).join('\n\n'));
    }

    return {
      kafkaBrokers: cfg.kafkaBrokers,
      schemaRegistryUrl: cfg.schemaRegistryUrl,
      stateDir: cfg.stateDir,
      components: Object.fromEntries(plans.map((plan) => [plan.component.key, componentSummary(cfg, plan)])),
      durationMs: Date.now() - began,
    };
  });
}

/**
 * Stops the registry, then Kafka (SIGTERM, then SIGKILL after a grace period). Stopping a stopped stack is
 * fine.
 *
 * @param {object} [options] see resolveStackConfig, plus `log(message)` for progress lines
 * @returns {Promise<{ stateDir: string, components: { kafka: object, schemaRegistry: object } }>}
 */
export async function down(options = {}) {
  const cfg = resolveStackConfig(options);
  const log = options.log ?? (() => {});
  const notRunning = { status: 'not-running', pid: null };
  if (!existsSync(cfg.stateDir)) {
    return {
      stateDir: cfg.stateDir,
      components: Object.fromEntries(COMPONENTS.map((c) => [c.key, notRunning])),
    };
  }
  return withLock(cfg, 'down', log, async () => {
    // Dependents first: the registry writes to the broker until it stops.
    const results = {};
    for (const component of [...COMPONENTS].reverse()) {
      const running = locate(cfg, component, { repair: true, log });
      if (!running) {
        results[component.key] = notRunning;
        continue;
      }
      log(`stopping ${component.title} (pid ${running.pid})`);
      const stopped = await stopProcess(cfg, component, running.pid, log);
      rmSync(componentPidFile(cfg, component), { force: true });
      log(`${component.title} stopped in ${formatSeconds(stopped.ms)}${stopped.forced ? ' (killed)' : ''}`);
      results[component.key] = {
        status: stopped.forced ? 'killed' : 'stopped',
        pid: running.pid,
        ms: stopped.ms,
      };
    }
    return {
      stateDir: cfg.stateDir,
      components: { kafka: results.kafka, schemaRegistry: results.schemaRegistry },
    };
  });
}

/**
 * Reports each component without changing anything.
 *
 * @param {object} [options] see resolveStackConfig
 * @returns {Promise<{ healthy: boolean, kafkaBrokers: string, schemaRegistryUrl: string, stateDir: string,
 *   components: { kafka: object, schemaRegistry: object } }>}
 */
export async function status(options = {}) {
  const cfg = resolveStackConfig(options);
  const entries = await Promise.all(
    COMPONENTS.map(async (component) => {
      const running = locate(cfg, component, { repair: false, log: () => {} });
      const report = {
        state: running ? 'running' : 'stopped',
        pid: running?.pid ?? null,
        healthy: false,
        ...component.describe(cfg),
        version: componentVersion(cfg, component),
        log: componentLog(cfg, component),
      };
      if (running) {
        const health = await component.probe(cfg);
        report.healthy = health.healthy;
        if (!health.healthy) report.reason = health.reason;
      } else {
        const conflicts = await portConflicts(cfg, component, null);
        if (conflicts.length > 0) report.conflicts = conflicts;
      }
      return [component.key, report];
    }),
  );
  const components = Object.fromEntries(entries);
  return {
    healthy: Object.values(components).every((component) => component.healthy),
    kafkaBrokers: cfg.kafkaBrokers,
    schemaRegistryUrl: cfg.schemaRegistryUrl,
    stateDir: cfg.stateDir,
    components,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------

const USAGE = `Usage: node infra/stack.mjs <up|down|status> [--json]

  up       start Kafka and the schema registry (fetching jars the first time) and wait until usable
  down     stop both
  status   show each component; exit code 0 when all are healthy, 3 otherwise

  --json   print one JSON object as the last line of stdout (progress goes to stderr)

Environment: FV_STATE_DIR (default <repo>/.local), FV_KAFKA_PORT (9092),
FV_KAFKA_CONTROLLER_PORT (9093), FV_REGISTRY_PORT (8090), JAVA_HOME.`;

function formatSeconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function printUp(result) {
  const { kafka, schemaRegistry } = result.components;
  const row = (name, component, where) =>
    `  ${name.padEnd(16)} ${component.status.padEnd(10)} pid ${String(component.pid).padEnd(8)} ${where}`;
  const lines = [
    `Local stack is up (${formatSeconds(result.durationMs)}).`,
    row('kafka', kafka, `${kafka.brokers} (controller ${HOST}:${kafka.controllerPort})`),
    row('schema-registry', schemaRegistry, schemaRegistry.url),
    `  state            ${result.stateDir}`,
    `  logs             ${kafka.log}`,
    `                   ${schemaRegistry.log}`,
    '',
    `  KAFKA_BROKERS=${result.kafkaBrokers}`,
    `  SCHEMA_REGISTRY_URL=${result.schemaRegistryUrl}`,
  ];
  console.log(lines.join('\n'));
}

function printStatus(result) {
  const rows = Object.entries(result.components).map(([key, component]) => {
    const name = key === 'kafka' ? 'kafka' : 'schema-registry';
    const where =
      key === 'kafka'
        ? `${component.brokers} (controller ${HOST}:${component.controllerPort})`
        : component.url;
    const health = component.state === 'running' ? (component.healthy ? 'healthy' : 'UNHEALTHY') : '-';
    const pid = component.pid ? `pid ${component.pid}` : '-';
    const details = [component.reason, ...(component.conflicts ?? [])].filter(Boolean);
    return [
      `  ${name.padEnd(16)} ${component.state.padEnd(8)} ${pid.padEnd(12)} ${health.padEnd(10)} ${where}`,
      ...details.map((detail) => `  ${''.padEnd(16)} ${detail}`),
    ].join('\n');
  });
  console.log([`Local stack in ${result.stateDir}:`, ...rows].join('\n'));
}

function printDown(result) {
  const rows = Object.entries(result.components).map(([key, component]) => {
    const name = key === 'kafka' ? 'kafka' : 'schema-registry';
    const what =
      component.status === 'not-running'
        ? 'was not running'
        : `${component.status} (pid ${component.pid}, ${formatSeconds(component.ms)})`;
    return `  ${name.padEnd(16)} ${what}`;
  });
  console.log([`Local stack in ${result.stateDir} is down.`, ...rows].join('\n'));
}

async function main(argv) {
  const flags = new Set(argv.filter((arg) => arg.startsWith('-')));
  const commands = argv.filter((arg) => !arg.startsWith('-'));
  if (flags.has('--help') || flags.has('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = [...flags].filter((flag) => flag !== '--json');
  if (commands.length !== 1 || !['up', 'down', 'status'].includes(commands[0]) || unknown.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const json = flags.has('--json');
  const log = (message) => console.error(`stack: ${message}`);
  const onSignal = (signal) => {
    releaseLocks();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    if (commands[0] === 'up') {
      const result = await up({ log });
      if (json) console.log(JSON.stringify(result));
      else printUp(result);
      return 0;
    }
    if (commands[0] === 'down') {
      const result = await down({ log });
      if (json) console.log(JSON.stringify(result));
      else printDown(result);
      return 0;
    }
    const result = await status();
    if (json) console.log(JSON.stringify(result));
    else printStatus(result);
    return result.healthy ? 0 : 3;
  } catch (error) {
    if (error instanceof StackError) {
      console.error(`stack: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

const invokedDirectly = (() => {
  try {
    return (
      Boolean(process.argv[1]) &&
      realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
