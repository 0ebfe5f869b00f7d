import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StackModule, StackOptions } from '@fv/testing';

export type { StackOptions };

export type StackComponent = 'kafka' | 'schemaRegistry';

/**
 * The broker and schema registry of the suite's own platform, through infra/stack.mjs (its up() restarts
 * whatever is not running, its status() knows the pids).
 */
export class EventStack {
  private module: StackModule | null = null;
  kafkaBrokers = '';
  schemaRegistryUrl = '';

  constructor(
    private readonly repositoryRoot: string,
    readonly options: StackOptions,
  ) {}

  private async stack(): Promise<StackModule> {
    this.module ??= (await import(
      pathToFileURL(path.join(this.repositoryRoot, 'infra', 'stack.mjs')).href
    )) as StackModule;
    return this.module;
  }

  async up(): Promise<void> {
    const endpoints = await (await this.stack()).up(this.options);
    this.kafkaBrokers = endpoints.kafkaBrokers;
    this.schemaRegistryUrl = endpoints.schemaRegistryUrl;
  }

  async down(): Promise<void> {
    await (await this.stack()).down(this.options);
  }

  async pid(component: StackComponent): Promise<number> {
    const status = await (await this.stack()).status(this.options);
    const pid = status.components[component].pid;
    if (!pid) throw new Error(`the ${component} of the suite's stack is not running`);
    return pid;
  }

  /** SIGKILL, and waits until the process is gone. Answers the pid. */
  async kill(component: StackComponent): Promise<number> {
    const pid = await this.pid(component);
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return pid;
  }

  signal(pid: number, signal: NodeJS.Signals): void {
    process.kill(pid, signal);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
