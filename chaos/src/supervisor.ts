import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Prng } from '@fv/testing';

export interface ProcessSpec {
  name: string;
  cwd: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Answers 2xx once the process can serve. */
  readyUrl: string;
  logFile: string;
}

export interface ProcessEvent {
  at: number;
  name: string;
  kind: 'started' | 'ready' | 'exited';
  pid?: number;
  /** For exits: whether the suite caused it (a planned kill or the final stop). */
  planned?: boolean;
  code?: number | null;
  signal?: string | null;
}

interface Managed {
  spec: ProcessSpec;
  child: ChildProcess | null;
  /** The suite killed it and restarts it itself after this delay. */
  plannedRestartMs: number | null;
  restarts: number;
  pendingRestart: NodeJS.Timeout | null;
}

/**
 * Runs the platform's servers as a process manager would: each a real process (its node pid is the server,
 * no launcher in between), logs appended to a file, and a process that dies — killed by the suite or on its
 * own — started again after a short random delay.
 */
export class Supervisor {
  private readonly managed = new Map<string, Managed>();
  private stopping = false;
  readonly events: ProcessEvent[] = [];

  constructor(
    private readonly random: Prng,
    private readonly crashRestartDelayMs: [number, number] = [500, 3000],
    private readonly log: (line: string) => void = () => {},
  ) {}

  start(spec: ProcessSpec): void {
    const entry: Managed = { spec, child: null, plannedRestartMs: null, restarts: 0, pendingRestart: null };
    this.managed.set(spec.name, entry);
    this.launch(entry);
  }

  names(): string[] {
    return [...this.managed.keys()];
  }

  pid(name: string): number | null {
    return this.entry(name).child?.pid ?? null;
  }

  /** Waits until the process answers its ready URL. */
  async waitReady(name: string, timeoutMs: number): Promise<void> {
    const entry = this.entry(name);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (entry.child && (await answers(entry.spec.readyUrl))) {
        this.record({ name, kind: 'ready', pid: entry.child.pid! });
        return;
      }
      await sleep(250);
    }
    throw new Error(
      `${name} was not ready after ${Math.round(timeoutMs / 1000)} s; see ${entry.spec.logFile}`,
    );
  }

  /** SIGKILLs the process; the supervisor starts it again `restartAfterMs` later. Answers the killed pid. */
  async kill(name: string, restartAfterMs: number): Promise<number> {
    const entry = this.entry(name);
    const child = entry.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} is not running (it is being restarted)`);
    }
    entry.plannedRestartMs = restartAfterMs;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    return child.pid;
  }

  /** Unplanned exits so far (crashes the suite did not cause), per process. */
  crashes(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const event of this.events) {
      if (event.kind === 'exited' && !event.planned)
        counts.set(event.name, (counts.get(event.name) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * SIGTERM (SIGKILL after `graceMs`): first every process not named in `last`, together, then those in
   * `last`, one after the other.
   */
  async stopAll(last: string[], graceMs = 15_000): Promise<void> {
    this.stopping = true;
    for (const entry of this.managed.values()) if (entry.pendingRestart) clearTimeout(entry.pendingRestart);
    const stop = (name: string) => {
      const child = this.managed.get(name)?.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    };
    await Promise.all([...this.managed.keys()].filter((name) => !last.includes(name)).map(stop));
    for (const name of last) await stop(name);
  }

  /** Last resort (the suite itself is dying): SIGKILL everything at once, synchronously. */
  killAllNow(): void {
    this.stopping = true;
    for (const entry of this.managed.values()) {
      if (entry.pendingRestart) clearTimeout(entry.pendingRestart);
      if (entry.child && entry.child.exitCode === null) entry.child.kill('SIGKILL');
    }
  }

  private entry(name: string): Managed {
    const entry = this.managed.get(name);
    if (!entry) throw new Error(`no process named ${name}`);
    return entry;
  }

  private launch(entry: Managed): void {
    const { spec } = entry;
    const out = fs.openSync(spec.logFile, 'a');
    fs.writeSync(out, `\n--- ${new Date().toISOString()} chaos supervisor: starting ${spec.name} ---\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    entry.child = child;
    child.on('error', (error) => this.log(`${spec.name}: ${error.message}`));
    this.record({ name: spec.name, kind: 'started', pid: child.pid! });
    child.once('exit', (code, signal) => {
      const planned = this.stopping || entry.plannedRestartMs !== null;
      this.record({ name: spec.name, kind: 'exited', pid: child.pid!, planned, code, signal });
      if (this.stopping) return;
      const delay =
        entry.plannedRestartMs ?? this.random.int(this.crashRestartDelayMs[0], this.crashRestartDelayMs[1]);
      if (!planned)
        this.log(`${spec.name} (pid ${child.pid}) exited on its own (${signal ?? `code ${code}`})`);
      entry.plannedRestartMs = null;
      entry.pendingRestart = setTimeout(() => {
        entry.pendingRestart = null;
        entry.restarts += 1;
        if (!this.stopping) this.launch(entry);
      }, delay);
    });
  }

  private record(event: Omit<ProcessEvent, 'at'>): void {
    this.events.push({ at: Date.now(), ...event });
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
