/** The stack's operations, `up`, `down` and `status`, over the components. */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { componentHome, componentLog, componentPidFile } from './components.mjs';
import { LOG_ROTATE_BYTES, resolveStackConfig, StackError } from './config.mjs';
import { componentVersion, ensureJars, jarsCurrent, resolveJava } from './fetch.mjs';
import { KAFKA } from './kafka.mjs';
import { withLock } from './lock.mjs';
import {
  capitalize,
  formatSeconds,
  configurationDrift,
  isOurs,
  locate,
  logTail,
  portConflicts,
  processAgeMs,
  sleep,
  stopProcess,
  waitUntil,
} from './processes.mjs';
import { SCHEMA_REGISTRY } from './registry.mjs';

export const COMPONENTS = [KAFKA, SCHEMA_REGISTRY];
/** A busy process can miss one probe; only a few misses in a row make it unhealthy. */
export async function probeSteadily(cfg, component, attempts = 3) {
  let result;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    result = await component.probe(cfg);
    if (result.healthy) return result;
    if (attempt < attempts) await sleep(1000);
  }
  return result;
}

export function ensureStateDirs(cfg) {
  for (const dir of [cfg.stateDir, cfg.jarsDir, cfg.logsDir, cfg.runDir]) mkdirSync(dir, { recursive: true });
}

/** Keeps one previous log when a log outgrows LOG_ROTATE_BYTES; done at start, while nothing writes to it. */
export function rotateLog(file) {
  try {
    if (statSync(file).size > LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

export async function launch(cfg, component, java, log) {
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

export async function waitUsable(cfg, component, { pid, deadline, exited, logOffset = 0 }) {
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

export async function startComponent(cfg, plan, java, log) {
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

export function componentSummary(cfg, plan) {
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
