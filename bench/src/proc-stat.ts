import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK, 100 on Linux in practice). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime in clock ticks from the text of /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0: utime (14) is index 11 and stime (15) index 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`unreadable /proc stat line: ${stat}`);
  return utime + stime;
}

/** CPU seconds (user + system) a process has used so far, or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    return parseCpuTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Pids of every process whose command name is `name` (e.g. every PostgreSQL process of the machine). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The pid of the process listening on a TCP port of this machine (the JVM, not a launcher), or null. */
export function listenerPid(port: number): number | null {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const match = /pid=(\d+)/.exec(out);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The CPU of a set of processes between two instants; a pid that appears in between counts from zero. */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  /** The last reading of each process, so that one which ends before `read` still counts up to then. */
  private readonly last = new Map<number, number>();

  constructor(private readonly pids: readonly number[]) {
    for (const pid of pids) {
      const seconds = cpuSeconds(pid);
      if (seconds !== null) {
        this.start.set(pid, seconds);
        this.last.set(pid, seconds);
      }
    }
  }

  /** Reads these processes now (and adds the new ones): called during the window for processes that may end. */
  sample(pids: readonly number[]): void {
    for (const pid of pids) {
      const seconds = cpuSeconds(pid);
      if (seconds === null) continue;
      if (!this.start.has(pid)) this.start.set(pid, 0);
      this.last.set(pid, seconds);
    }
  }

  /**
   * CPU seconds used since the meter was made by its processes and `more` (such as database backends opened
   * meanwhile). A process that ended counts up to its last sample; `vanished` counts them.
   */
  read(more: readonly number[] = []): { seconds: number; vanished: number } {
    this.sample([...this.pids, ...more]);
    let seconds = 0;
    let vanished = 0;
    for (const [pid, last] of this.last) {
      if (cpuSeconds(pid) === null) vanished += 1;
      seconds += last - (this.start.get(pid) ?? 0);
    }
    return { seconds, vanished };
  }
}
