/**
 * Wakes the requests waiting for a configuration to change. Writes through this process wake their
 * watchers at once; `recheckMs` bounds how late a watcher notices a write made through another replica.
 */
export class ConfigWatch {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Called after a write to `service` commits; a write to the platform defaults concerns every service. */
  notify(service: string, everyone: boolean): void {
    const targets = everyone ? [...this.waiters.values()] : [this.waiters.get(service) ?? new Set()];
    for (const set of targets) for (const wake of [...set]) wake();
  }

  /**
   * Resolves with the first result of `read` that `done` accepts, re-reading after every write to
   * `service` and every `recheckMs`; or with the last read when `timeoutMs` passes or `signal` aborts.
   */
  async waitFor<T>(
    service: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    options: { timeoutMs: number; recheckMs: number; signal?: AbortSignal },
  ): Promise<T> {
    const deadline = Date.now() + options.timeoutMs;
    let value = await read();
    while (!done(value) && Date.now() < deadline && !options.signal?.aborted) {
      await this.sleep(service, Math.min(options.recheckMs, deadline - Date.now()), options.signal);
      value = await read();
    }
    return value;
  }

  private sleep(service: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(service) ?? new Set<() => void>();
      this.waiters.set(service, set);
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(service) === set) this.waiters.delete(service);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      signal?.addEventListener('abort', wake, { once: true });
      set.add(wake);
    });
  }

  /** Requests waiting right now. */
  get watching(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }
}
