import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromGenerator, LoadJob, LoadResult } from './protocol.js';

const GENERATOR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-generator.ts');

/** The load generator as a child process: one job at a time. */
export class LoadGenerator {
  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {}

  static async start(): Promise<LoadGenerator> {
    const child = fork(GENERATOR, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: FromGenerator) =>
        message.type === 'ready'
          ? resolve(message.pid)
          : reject(new Error('the load generator did not start')),
      );
      child.once('exit', (code) => reject(new Error(`the load generator exited with ${code} at start`)));
    });
    return new LoadGenerator(child, pid);
  }

  run(job: Omit<LoadJob, 'type'>): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited with ${code}`));
      this.child.once('exit', onExit);
      this.child.once('message', (message: FromGenerator) => {
        this.child.off('exit', onExit);
        if (message.type === 'result') resolve(message);
        else reject(new Error(message.type === 'error' ? message.message : `unexpected ${message.type}`));
      });
      this.child.send({ type: 'job', ...job } satisfies LoadJob);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
