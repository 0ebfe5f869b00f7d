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
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HOST, StackError } from './stack/config.mjs';
import { down, status, up } from './stack/lifecycle.mjs';
import { releaseLocks } from './stack/lock.mjs';
import { formatSeconds } from './stack/processes.mjs';

export { StackError, resolveStackConfig } from './stack/config.mjs';
export { probeKafka } from './stack/kafka-protocol.mjs';
export { probeRegistry } from './stack/registry.mjs';
export { down, status, up } from './stack/lifecycle.mjs';
export { releaseLocks } from './stack/lock.mjs';

const USAGE = `Usage: node infra/stack.mjs <up|down|status> [--json]

  up       start Kafka and the schema registry (fetching jars the first time) and wait until usable
  down     stop both
  status   show each component; exit code 0 when all are healthy, 3 otherwise

  --json   print one JSON object as the last line of stdout (progress goes to stderr)

Environment: FV_STATE_DIR (default <repo>/.local), FV_KAFKA_PORT (9092),
FV_KAFKA_CONTROLLER_PORT (9093), FV_REGISTRY_PORT (8090), JAVA_HOME.`;

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
