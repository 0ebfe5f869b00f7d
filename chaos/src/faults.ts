import type { FaultRecord } from './invariants.js';
import type { Platform } from './platform.js';
import type { PlannedFault } from './schedule.js';
import { sleep } from './supervisor.js';

/**
 * Carries out the schedule against the platform, one fault after the other, each at its planned time
 * from `loadStartedAt` (or as soon as the previous one is restored, if that took longer). Each record
 * holds when the fault began and when the target answered again.
 */
export async function injectFaults(
  platform: Platform,
  schedule: PlannedFault[],
  loadStartedAt: number,
  log: (line: string) => void,
): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  for (const fault of schedule) {
    const wait = loadStartedAt + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    const record: FaultRecord = {
      id: fault.id,
      kind: fault.kind,
      target: fault.target,
      startedAt: Date.now(),
      endedAt: null,
    };
    records.push(record);
    log(`fault ${fault.id}: ${fault.kind} ${fault.target} for ${(fault.durationMs / 1000).toFixed(1)} s`);
    try {
      record.detail = await inject(platform, fault);
      record.endedAt = Date.now();
      log(
        `fault ${fault.id}: ${fault.target} restored after ${((record.endedAt - record.startedAt) / 1000).toFixed(1)} s` +
          (record.detail ? ` (${record.detail})` : ''),
      );
    } catch (error) {
      record.detail = (error as Error).message.split('\n')[0];
      log(`fault ${fault.id}: restoring ${fault.target} failed: ${(error as Error).message}`);
    }
  }
  return records;
}

async function inject(platform: Platform, fault: PlannedFault): Promise<string> {
  switch (fault.kind) {
    case 'service-kill': {
      const pid = await platform.supervisor.kill(fault.target, fault.durationMs);
      await platform.supervisor.waitReady(fault.target, 180_000);
      return `SIGKILL pid ${pid}, restarted after ${(fault.durationMs / 1000).toFixed(1)} s`;
    }
    case 'broker-kill':
    case 'registry-kill': {
      const component = fault.kind === 'broker-kill' ? 'kafka' : 'schemaRegistry';
      const pid = await platform.stack.kill(component);
      await sleep(fault.durationMs);
      await platform.stack.up();
      return `SIGKILL pid ${pid}, restarted after ${(fault.durationMs / 1000).toFixed(1)} s`;
    }
    case 'pg-outage': {
      await platform.postgres.crash();
      await sleep(fault.durationMs);
      await platform.postgres.start();
      return 'pg_ctl stop -m immediate, then start';
    }
    case 'db-cut': {
      const proxy = platform.proxies.get(fault.target);
      if (!proxy) throw new Error(`no database proxy for ${fault.target}`);
      const before = { ...proxy.stats };
      const dropped = proxy.cut();
      try {
        await sleep(fault.durationMs);
      } finally {
        proxy.restore();
      }
      return `dropped ${dropped} connections, refused ${proxy.stats.refused - before.refused}`;
    }
    case 'broker-freeze': {
      const pid = await platform.stack.pid('kafka');
      platform.stack.signal(pid, 'SIGSTOP');
      try {
        await sleep(fault.durationMs);
      } finally {
        platform.stack.signal(pid, 'SIGCONT');
      }
      return `SIGSTOP/SIGCONT pid ${pid}`;
    }
  }
}
